/** Text made safe inside XML or SVG markup, as element content or a quoted attribute. */
export function escapeXml(text: string): string {
  // XML 1.0 forbids most control characters outright; one would make the whole document unreadable.
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
