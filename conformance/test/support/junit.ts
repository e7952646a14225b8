// JUnit XML as CI tools read it, for the writers' tests.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { expect } from "vitest";

interface ParsedTestcase {
  classname: string;
  name: string;
  time: string;
  failure?: { "#text"?: string; message: string; type: string };
  error?: { "#text"?: string; message: string; type: string };
  skipped?: { "#text"?: string; message: string; type: string };
  "system-out"?: string;
}
interface ParsedSuite {
  name: string;
  tests: string;
  failures: string;
  errors: string;
  testcase: ParsedTestcase[];
}

/** JUnit XML as a CI tool reads it: attributes kept, repeated elements always arrays. */
export function parseJunit(xml: string): { testsuites: { tests: string; failures: string; errors: string; testsuite: ParsedSuite[] } } {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "",
    parseAttributeValue: false,
    isArray: (name) => ["testsuite", "testcase", "property"].includes(name),
  });
  return parser.parse(xml);
}
