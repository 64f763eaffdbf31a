/**
 * The suite's XML reader and the reference server's are written separately; on every generated body they
 * must agree on well-formedness and on what the elements say, or the fuzz property would report a
 * disagreement between the two readers as a server bug.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readXml, type Element } from '../../../drivers/emulated/swivel/xml.ts';
import { agentBody } from '../../../suites/swivel/arbitraries.ts';
import { parseXml, readSasResponse, type XmlElement } from '../../../suites/swivel/xml.ts';

function serverView(body: string): unknown {
  try {
    const walk = (e: Element): unknown => ({ name: e.name, text: e.text, children: e.elements.map(walk) });
    return walk(readXml(body));
  } catch {
    return null;
  }
}

function suiteView(body: string): unknown {
  const root = parseXml(body);
  const walk = (e: XmlElement): unknown => ({ name: e.name, text: e.text, children: e.children.map(walk) });
  return root === null ? null : walk(root);
}

describe('the two XML readers', () => {
  it('agree on every generated AgentXML body', () => {
    fc.assert(
      fc.property(agentBody, (b) => {
        expect(suiteView(b.body)).toEqual(serverView(b.body));
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  const CASES: [string, boolean][] = [
    ['<a/>', true],
    ['<?xml version="1.0"?><a b="1" c=\'2\'>x&amp;y&#65;&#x42;<![CDATA[<z>]]></a><!-- c -->', true],
    ['<a>', false],
    ['<a></b>', false],
    ['<a>&unknown;</a>', false],
    ['<a>&#0;</a>', false],
    ['<a b="1" b="2"/>', false],
    ['<a b="1"c="2"/>', false],
    ['<a>]]></a>', false],
    ['<a/><b/>', false],
    ['text<a/>', false],
    ['<!DOCTYPE a><a/>', false],
    ['\u00a0<a/>', false],
    ['', false],
  ];
  for (const [body, wellFormed] of CASES) {
    it(`${JSON.stringify(body)} is ${wellFormed ? '' : 'not '}well-formed for both`, () => {
      expect(suiteView(body) !== null).toBe(wellFormed);
      expect(serverView(body) !== null).toBe(wellFormed);
      expect(suiteView(body)).toEqual(serverView(body));
    });
  }
});

describe('readSasResponse', () => {
  it('reads a FAIL and a SecurityStrings PASS', () => {
    expect(
      readSasResponse(
        '<SASResponse><Version>3.6</Version><RequestID>r</RequestID><Result>FAIL</Result><Error>AGENT_ERROR_X</Error></SASResponse>',
      ),
    ).toEqual({
      response: { version: '3.6', requestId: 'r', result: 'FAIL', error: 'AGENT_ERROR_X', id: null, strings: null },
    });
    const pass = readSasResponse(
      '<SASResponse><Version/><RequestID/><Result>PASS</Result><Error/><SecurityStrings><String>1</String><String>2</String></SecurityStrings></SASResponse>',
    );
    expect('response' in pass && pass.response.strings).toEqual(['1', '2']);
  });
  it.each([
    ['<html>500</html>', /not <SASResponse>/],
    ['<SASResponse><Version/><Result>PASS</Result></SASResponse>', /RequestID/],
    ['<SASResponse><Version/><RequestID/><Result>OK</Result></SASResponse>', /PASS or FAIL/],
    ['<SASResponse><Version/><RequestID/><Result>PASS</Result><Result>FAIL</Result></SASResponse>', /more than once/],
    ['java.lang.NullPointerException', /well-formed/],
  ])('names what is wrong with %s', (body, problem) => {
    const read = readSasResponse(body);
    expect('problem' in read ? read.problem : '').toMatch(problem);
  });
});
