/**
 * The first worksheet of an XLSX file as rows of cell texts, read in the browser without a
 * spreadsheet library (exceljs would double the bundle): an XLSX file is a zip of XML parts, the
 * browser inflates (`DecompressionStream('deflate-raw')`) and parses XML (`DOMParser`). Shared and
 * inline strings, numbers and booleans; formulas give their cached value; dates stay serials.
 */

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/** Zip entries by name: their bytes, inflated. */
async function unzip(bytes: Uint8Array, want: (name: string) => boolean): Promise<Map<string, Uint8Array>> {
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65_557); i--) {
    if (u32(bytes, i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip file');
  const count = u16(bytes, end + 10);
  let at = u32(bytes, end + 16);
  const out = new Map<string, Uint8Array>();
  for (let n = 0; n < count; n++) {
    if (u32(bytes, at) !== 0x02014b50) throw new Error('bad zip directory');
    const method = u16(bytes, at + 10);
    const size = u32(bytes, at + 20);
    const nameLen = u16(bytes, at + 28);
    const skip = nameLen + u16(bytes, at + 30) + u16(bytes, at + 32);
    const local = u32(bytes, at + 42);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLen));
    at += 46 + skip;
    if (!want(name)) continue;
    const data = local + 30 + u16(bytes, local + 26) + u16(bytes, local + 28);
    const raw = bytes.subarray(data, data + size);
    if (method === 0) out.set(name, raw);
    else if (method === 8) {
      const stream = new Blob([raw.slice()]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
      out.set(name, new Uint8Array(await new Response(stream).arrayBuffer()));
    } else throw new Error(`zip method ${method}`);
  }
  return out;
}

function xml(bytes: Uint8Array | undefined): Document | undefined {
  return bytes ? new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'application/xml') : undefined;
}

/** `AB12` → 27 (0-based column). */
function columnOf(ref: string): number {
  let n = 0;
  for (const ch of ref.replace(/\d+$/, '')) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}

const textOf = (el: Element) => [...el.getElementsByTagName('t')].map((t) => t.textContent ?? '').join('');

export async function readXlsxRows(bytes: Uint8Array): Promise<string[][]> {
  const parts = await unzip(bytes, (n) => n === 'xl/sharedStrings.xml' || /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
  const shared = [...(xml(parts.get('xl/sharedStrings.xml'))?.getElementsByTagName('si') ?? [])].map(textOf);
  const sheetName = [...parts.keys()].filter((n) => n.startsWith('xl/worksheets/')).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))[0];
  const sheet = xml(sheetName ? parts.get(sheetName) : undefined);
  if (!sheet) throw new Error('no worksheet');
  const rows: string[][] = [];
  for (const row of sheet.getElementsByTagName('row')) {
    const cells: string[] = [];
    for (const c of row.getElementsByTagName('c')) {
      const ref = c.getAttribute('r');
      const k = ref ? columnOf(ref) : cells.length;
      const type = c.getAttribute('t');
      const v = c.getElementsByTagName('v')[0]?.textContent ?? '';
      const text = type === 's' ? (shared[Number(v)] ?? '') : type === 'inlineStr' ? textOf(c) : type === 'b' ? (v === '1' ? 'true' : 'false') : v;
      while (cells.length < k) cells.push('');
      cells[k] = text;
    }
    rows.push(cells);
  }
  return rows.filter((r) => r.some((x) => x.trim() !== ''));
}
