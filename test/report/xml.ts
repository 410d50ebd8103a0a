/**
 * A small, strict XML 1.0 reader for tests: it checks well-formedness (one root, matching tags,
 * quoted and unique attributes, valid entity and character references, no characters XML 1.0
 * forbids, no `<` or `&` out of place) and returns the element tree, so tests can query it.
 * It throws a positioned error on the first problem. No DTDs, no CDATA (our writers emit neither).
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The decoded character data directly inside this element. */
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9._:]*/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

export function parseXml(xml: string): XmlElement {
  let pos = 0;
  const fail = (message: string): never => {
    const line = xml.slice(0, pos).split('\n').length;
    throw new Error(`XML not well-formed at line ${line} (offset ${pos}): ${message}`);
  };
  for (const ch of xml) {
    const code = ch.codePointAt(0)!;
    if (!isXmlChar(code)) {
      pos = xml.indexOf(ch);
      fail(`character U+${code.toString(16).padStart(4, '0')} is not allowed in XML 1.0`);
    }
  }

  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(xml);
    if (!m) fail('expected a name');
    pos += m![0].length;
    return m![0];
  };
  const spaces = (): boolean => {
    const start = pos;
    while (pos < xml.length && ' \t\r\n'.includes(xml[pos]!)) pos++;
    return pos > start;
  };
  // Line ends and (in attributes) whitespace are normalised before references are expanded, as
  // XML processors do, so only escaped characters survive as themselves.
  const decode = (raw: string, inAttribute: boolean): string =>
    (inAttribute ? raw.replace(/\r\n|[\t\n\r]/g, ' ') : raw.replace(/\r\n?/g, '\n')).replace(/&([^;&]*);?/g, (match, body: string) => {
      if (!match.endsWith(';')) fail(`unterminated reference ${JSON.stringify(match)}`);
      let code: number;
      if (/^#x[0-9A-Fa-f]+$/.test(body)) code = parseInt(body.slice(2), 16);
      else if (/^#[0-9]+$/.test(body)) code = parseInt(body.slice(1), 10);
      else if (body in ENTITIES) return ENTITIES[body]!;
      else return fail(`unknown entity &${body};`);
      if (!isXmlChar(code)) fail(`character reference to a forbidden character &${body};`);
      return String.fromCodePoint(code);
    });
  const misc = () => {
    for (;;) {
      spaces();
      if (xml.startsWith('<!--', pos)) {
        const end = xml.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        if (xml.slice(pos + 4, end).includes('--')) fail('"--" inside a comment');
        pos = end + 3;
      } else if (xml.startsWith('<?', pos) && !xml.startsWith('<?xml ', pos)) {
        const end = xml.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else return;
    }
  };

  const element = (): XmlElement => {
    if (xml[pos] !== '<') fail('expected "<"');
    pos++;
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      const hadSpace = spaces();
      if (xml.startsWith('/>', pos)) {
        pos += 2;
        return el;
      }
      if (xml[pos] === '>') {
        pos++;
        break;
      }
      if (!hadSpace) fail('expected whitespace before an attribute');
      const attribute = name();
      spaces();
      if (xml[pos] !== '=') fail(`expected "=" after ${attribute}`);
      pos++;
      spaces();
      const quote = xml[pos];
      if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
      const end = xml.indexOf(quote!, pos + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = xml.slice(pos + 1, end);
      if (raw.includes('<')) fail(`"<" in the value of ${attribute}`);
      if (attribute in el.attributes) fail(`duplicate attribute ${attribute}`);
      el.attributes[attribute] = decode(raw, true);
      pos = end + 1;
    }
    for (;;) {
      const next = xml.indexOf('<', pos);
      if (next < 0) fail(`unclosed element <${el.name}>`);
      const raw = xml.slice(pos, next);
      if (raw.includes(']]>')) fail('"]]>" in character data');
      el.text += decode(raw, false);
      pos = next;
      if (xml.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        spaces();
        if (xml[pos] !== '>') fail('expected ">"');
        pos++;
        return el;
      }
      if (xml.startsWith('<!--', pos)) {
        misc();
        continue;
      }
      if (xml.startsWith('<![CDATA[', pos) || xml.startsWith('<!', pos) || xml.startsWith('<?', pos)) fail('unsupported markup');
      el.children.push(element());
    }
  };

  if (xml.startsWith('<?xml ')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    pos = end + 2;
  }
  misc();
  const root = element();
  misc();
  if (pos !== xml.length) fail('content after the root element');
  return root;
}

/** All descendant elements named `name`, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (el: XmlElement) => {
    for (const child of el.children) {
      if (child.name === name) found.push(child);
      walk(child);
    }
  };
  walk(root);
  return found;
}
