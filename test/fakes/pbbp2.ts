/**
 * Just enough protobuf to speak Lark's long-connection frame (pbbp2.Frame) from a test server:
 * SeqID=1, LogID=2, service=3, method=4 (varints), headers=5 (repeated {key=1, value=2}),
 * payload_encoding=6, payload_type=7, payload=8 (bytes), LogIDNew=9.
 */
export interface Frame {
  SeqID: number;
  LogID: number;
  service: number;
  method: number; // 0 control, 1 data
  headers: Array<{ key: string; value: string }>;
  payload?: Uint8Array;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = BigInt(n);
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const bytesField = (field: number, data: Uint8Array) => [...tag(field, 2), ...varint(data.length), ...data];
const text = (s: string) => new TextEncoder().encode(s);

export function encodeFrame(f: Frame): Uint8Array {
  const out: number[] = [...tag(1, 0), ...varint(f.SeqID), ...tag(2, 0), ...varint(f.LogID), ...tag(3, 0), ...varint(f.service), ...tag(4, 0), ...varint(f.method)];
  for (const h of f.headers) out.push(...bytesField(5, new Uint8Array([...bytesField(1, text(h.key)), ...bytesField(2, text(h.value))])));
  if (f.payload) out.push(...bytesField(8, f.payload));
  return new Uint8Array(out);
}

function* fields(buf: Uint8Array): Generator<{ field: number; value: number | Uint8Array }> {
  let i = 0;
  const readVarint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return Number(result);
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const key = readVarint();
    const field = key >> 3;
    if ((key & 7) === 0) yield { field, value: readVarint() };
    else {
      const len = readVarint();
      yield { field, value: buf.subarray(i, i + len) };
      i += len;
    }
  }
}

export function decodeFrame(buf: Uint8Array): Frame {
  const f: Frame = { SeqID: 0, LogID: 0, service: 0, method: 0, headers: [] };
  const dec = new TextDecoder();
  for (const { field, value } of fields(buf)) {
    if (field === 1) f.SeqID = value as number;
    else if (field === 2) f.LogID = value as number;
    else if (field === 3) f.service = value as number;
    else if (field === 4) f.method = value as number;
    else if (field === 5) {
      const h = { key: "", value: "" };
      for (const kv of fields(value as Uint8Array)) kv.field === 1 ? (h.key = dec.decode(kv.value as Uint8Array)) : (h.value = dec.decode(kv.value as Uint8Array));
      f.headers.push(h);
    } else if (field === 8) f.payload = value as Uint8Array;
  }
  return f;
}
