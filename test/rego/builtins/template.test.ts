// strings.render_template runs Go's text/template on the variables after a JSON round trip
// (OPA v1/topdown/template.go, ast.As); expected texts are Go's, and OPA's own cases
// (v1/test/cases/testdata/v1/rendertemplate) where OPA departs from Go.
import { describe, expect, it } from 'vitest';
import { RegoSet, fromJSON, makeObject } from '../../../src/rego/value.js';
import { call } from './helpers.js';

const render = (template: string, vars: unknown) => call('strings.render_template', template, fromJSON(vars));

describe('strings.render_template', () => {
  it('prints fields as Go prints the JSON-decoded values', () => {
    expect(render('Hello {{.name}}!', { name: 'world' })).toBe('Hello world!');
    expect(render('{{.a.b}}', { a: { b: 'deep' } })).toBe('deep');
    // Numbers are float64 after the round trip, printed with %v.
    expect(render('{{.n}} {{.f}} {{.big}} {{.small}}', { n: 3, f: 1.5, big: 1234567, small: 0.00001 })).toBe('3 1.5 1.234567e+06 1e-05');
    expect(render('{{.xs}} {{.m}} {{.t}}', { xs: [1, 'x', null, true], m: { z: 1, b: [2] }, t: false })).toBe('[1 x <nil> true] map[b:[2] z:1] false');
    expect(render('{{.missing_value}}', { missing_value: null })).toBe('<undefined>');
    expect(call('strings.render_template', '{{.s}}', makeObject([['s', new RegoSet([2, 1])]]))).toBe('[1 2]');
  });

  it('prints a missing key as <undefined>, as OPA does since it dropped missingkey=error', () => {
    // OPA rendertemplate/simpleint, /complex, /missingkey and /missingmultiplekeys.
    expect(render('{{.test}}', { test: 2023 })).toBe('2023');
    expect(render('{{range $i, $name := .hellonames}}{{if $i}},{{end}}hello {{$name}}{{end}}', { hellonames: ['rohan', 'john doe'] })).toBe('hello rohan,hello john doe');
    expect(render('{{.testvarnotprovided}}', { test: 'hello world' })).toBe('<undefined>');
    expect(render('test {{.foo}} {{.bar}} {{.baz}}', { baz: 1 })).toBe('test <undefined> <undefined> 1');
    expect(render('{{.a.b.c}}|{{if .a}}yes{{else}}no{{end}}|{{eq .a "x"}}', {})).toBe('<undefined>|no|false');
  });

  it('fails on a field of a non-map and on syntax errors, with Go error texts', () => {
    expect(() => render('{{.a.b}}', { a: null })).toThrow('strings.render_template: template: template:1:2: executing "template" at <.a.b>: nil pointer evaluating interface {}.b');
    expect(() => render('x\n {{.a.b}}', { a: 1 })).toThrow('template: template:2:3: executing "template" at <.a.b>: can\'t evaluate field b in type float64');
    expect(() => render('{{.a', {})).toThrow('template: template:1: unclosed action');
    expect(() => render('{{nope 1}}', {})).toThrow('template: template:1: function "nope" not defined');
    expect(() => render('{{template "x"}}', {})).toThrow('template is not supported');
    expect(() => render('{{if .a}}x', { a: 1 })).toThrow('template: template:1: unexpected EOF');
  });

  it('runs if, else if, with, range and variables', () => {
    expect(render('{{if .ok}}yes{{else}}no{{end}}', { ok: [] })).toBe('no');
    expect(render('{{if eq .n "b"}}B{{else if eq .n "a"}}A{{else}}?{{end}}', { n: 'a' })).toBe('A');
    expect(render('{{with .u}}{{.name}}{{else}}none{{end}}|{{with .v}}x{{else}}none{{end}}', { u: { name: 'n' }, v: '' })).toBe('n|none');
    expect(render('{{range .xs}}<{{.}}>{{end}}', { xs: ['a', 'b'] })).toBe('<a><b>');
    expect(render('{{range $i, $x := .xs}}{{$i}}={{$x}};{{end}}', { xs: ['a', 'b'] })).toBe('0=a;1=b;');
    expect(render('{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}', { m: { b: 2, a: 1 } })).toBe('a=1;b=2;');
    expect(render('{{range .xs}}x{{else}}empty{{end}}', { xs: [] })).toBe('empty');
    expect(render('{{range .xs}}{{if eq . "b"}}{{break}}{{end}}{{.}}{{end}}', { xs: ['a', 'b', 'c'] })).toBe('a');
    expect(render('{{range .xs}}{{if eq . "b"}}{{continue}}{{end}}{{.}}{{end}}', { xs: ['a', 'b', 'c'] })).toBe('ac');
    expect(render('{{$x := .a}}{{$x}}{{$x = "b"}}{{$x}} {{range .xs}}{{$.a}}{{end}}', { a: 'a', xs: [1, 2] })).toBe('ab aa');
  });

  it('trims around {{- and -}} and drops comments', () => {
    expect(render('a  {{- .x -}}  \n b', { x: 'X' })).toBe('aXb');
    expect(render('a {{/* note */}} b {{- /* trimmed */ -}} c', {})).toBe('a  bc');
    expect(render('{{"}}"}}', {})).toBe('}}');
  });

  it('has the predefined functions with Go semantics', () => {
    expect(render('{{len .xs}} {{len .s}} {{index .xs 1}} {{index .m "k"}} {{index .m "none"}}', { xs: [1, 2, 3], s: 'é', m: { k: 'v' } })).toBe('3 2 2 v <undefined>');
    expect(render('{{printf "%s-%d-%v-%.2f" .s 3 .f .f}} {{.s | printf "%q"}}', { s: 'q', f: 2.5 })).toBe('q-3-2.5-2.50 "q"');
    expect(render('{{print 1 2 "a" 3}}|{{println "a" 1}}|', {})).toBe('1 2a3|a 1\n|');
    expect(render('{{and 1 0}} {{or 0 "" "x"}} {{not .e}}', { e: '' })).toBe('0 x true');
    expect(render('{{lt 1 2}} {{le .a .a}} {{gt "b" "a"}} {{ge 1.5 .a}} {{ne .s "x"}}', { a: 1, s: 'y' })).toBe('true true true true true');
    expect(render('{{html .a}}|{{js .a}}|{{urlquery .a}}', { a: `<a href='x'>&y z` })).toBe(
      `&lt;a href=&#39;x&#39;&gt;&amp;y z|\\u003Ca href\\u003D\\'x\\'\\u003E\\u0026y z|%3Ca+href%3D%27x%27%3E%26y+z`,
    );
    expect(render('{{slice .s 1 3}} {{slice .xs 1}}', { s: 'abcd', xs: [1, 2, 3] })).toBe('bc [2 3]');
    expect(render('{{(index .xs 0).name}}', { xs: [{ name: 'n' }] })).toBe('n');
    // The data's numbers are float64 and an integer constant is an int: Go refuses to compare them.
    expect(() => render('{{if eq .n 1}}one{{end}}', { n: 1 })).toThrow(
      'template: template:1:5: executing "template" at <eq .n 1>: error calling eq: incompatible types for comparison',
    );
    expect(render('{{if eq .n 1.0}}one{{end}}', { n: 1 })).toBe('one');
    expect(() => render('{{index .xs .i}}', { xs: [1], i: 0 })).toThrow('error calling index: cannot index slice/array with type float64');
  });

  it('takes a string and an object', () => {
    expect(() => call('strings.render_template', 1, fromJSON({}))).toThrow('operand 1 must be string');
    expect(() => call('strings.render_template', '', [])).toThrow('operand 2 must be object');
  });
});
