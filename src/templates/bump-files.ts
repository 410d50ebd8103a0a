/** The bump rules for project-template channels, files and every other element (see bump.ts). */
import { at, deepEqual, describeChildren, previousAt, type BumpReason } from './bump-reasons.js';
import { bodyMeaningKey, meaningKey, type TemplateShape } from './template-shape.js';

export function compareChannels(before: TemplateShape, after: TemplateShape, reasons: BumpReason[]): void {
  for (const old of before.channels.values()) {
    const now = after.channels.get(old.slug);
    if (!now) {
      reasons.push({
        bump: 'major',
        code: 'TPL_BUMP_CHANNEL_REMOVED',
        message: `removed channel "${old.name ?? old.slug}" (templated projects' releases and triggers may use it)`,
        element: { kind: 'channel', name: old.slug },
        ...previousAt(old.file, old.document.range),
      });
      continue;
    }
    const where = { element: { kind: 'channel' as const, name: now.slug }, ...at(now.file, now.document.range), ...previousAt(old.file, old.document.range) };
    if (old.name !== now.name) {
      reasons.push({ bump: 'major', code: 'TPL_BUMP_CHANNEL_RENAMED', message: `renamed channel "${old.name ?? ''}" to "${now.name ?? ''}"`, ...where });
    } else if (bodyMeaningKey(old.document.body) !== bodyMeaningKey(now.document.body)) {
      reasons.push({
        bump: 'patch',
        code: 'TPL_BUMP_CHANNEL_CHANGED',
        message: `changed channel "${now.name ?? now.slug}" (${describeChildren(old.document.body, now.document.body)})`,
        ...where,
      });
    }
  }
  for (const now of after.channels.values()) {
    if (before.channels.has(now.slug)) continue;
    reasons.push({
      bump: 'minor',
      code: 'TPL_BUMP_CHANNEL_ADDED',
      message: `new channel "${now.name ?? now.slug}"`,
      element: { kind: 'channel', name: now.slug },
      ...at(now.file, now.document.range),
    });
  }
}

export function compareOthers(before: TemplateShape, after: TemplateShape, reasons: BumpReason[]): void {
  const beforeFiles = new Set(before.files.map((f) => f.path));
  const afterFiles = new Set(after.files.map((f) => f.path));
  const isChannel = (path: string) => /^channels\/[^/]+\.ocl$/i.test(path);
  for (const file of before.files) {
    if (afterFiles.has(file.path) || isChannel(file.path)) continue;
    reasons.push({ bump: 'patch', code: 'TPL_BUMP_FILE_REMOVED', message: `removed file "${file.path}"`, element: { kind: 'file', name: file.path }, ...previousAt(file.path, file.document.range) });
  }
  for (const file of after.files) {
    if (beforeFiles.has(file.path) || isChannel(file.path)) continue;
    reasons.push({ bump: 'patch', code: 'TPL_BUMP_FILE_ADDED', message: `new file "${file.path}"`, element: { kind: 'file', name: file.path }, ...at(file.path, file.document.range) });
  }
  const inFile = (file: string) => (file === '' ? '' : ` in ${file}`);
  for (const old of before.others.values()) {
    if (!afterFiles.has(old.file)) continue;
    const now = after.others.get(old.key);
    if (!now) {
      reasons.push({ bump: 'patch', code: 'TPL_BUMP_ELEMENT_REMOVED', message: `removed ${old.display}${inFile(old.file)}`, element: { kind: 'element', name: old.display }, ...previousAt(old.file, old.element.range) });
    } else if (meaningKey(old.element) !== meaningKey(now.element)) {
      reasons.push({
        bump: 'patch',
        code: 'TPL_BUMP_ELEMENT_CHANGED',
        message: `changed ${now.display}${inFile(now.file)}`,
        element: { kind: 'element', name: now.display },
        ...at(now.file, now.element.range),
        ...previousAt(old.file, old.element.range),
      });
    }
  }
  for (const now of after.others.values()) {
    if (!beforeFiles.has(now.file) || before.others.has(now.key)) continue;
    reasons.push({ bump: 'patch', code: 'TPL_BUMP_ELEMENT_ADDED', message: `new ${now.display}${inFile(now.file)}`, element: { kind: 'element', name: now.display }, ...at(now.file, now.element.range) });
  }
}

/** Same meaning everywhere (checked before calling): did the text or layout change anyway? */
export function formattingDiffers(before: TemplateShape, after: TemplateShape): boolean {
  const afterByPath = new Map(after.files.map((f) => [f.path, f]));
  for (const old of before.files) {
    const now = afterByPath.get(old.path);
    if (!now) return true;
    if (old.text !== undefined && now.text !== undefined) {
      if (old.text !== now.text) return true;
    } else if (!deepEqual(old.document, now.document)) {
      return true;
    }
  }
  return before.files.length !== after.files.length;
}

