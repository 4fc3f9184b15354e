/**
 * Hand-written XML output for the SIMULATED AWS Query protocols (no XML library is a
 * dependency, and the simulator only ever writes XML). Every text value goes through
 * `escapeXml`; element names are constants in the renderers.
 */

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** `<name>escaped value</name>`; nothing for null/undefined (the field is absent). */
export function leaf(name: string, value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** `<name>children</name>`, children already rendered. */
export function node(name: string, children: string): string {
  return `<${name}>${children}</${name}>`;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
