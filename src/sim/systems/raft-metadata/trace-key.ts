// A cheap numeric summary of every message on the wire, for the trace hash: message type,
// term and the fields that distinguish one message of that type from another. No strings are
// hashed on the hot path except the short type tag's first character.
import type { ClientRequest, ServerReply } from "../../../impl/metadata/protocol.js";
import type { ServerMessage } from "../../../impl/metadata/server.js";

export function messageTraceKey(m: unknown): number {
  // A read of `type` (undefined on client requests and replies, which have none) instead of an
  // `in` test: the shapes here are many, so every lookup is a slow one (the switch's read of the
  // same field is folded into this one).
  if ((m as { type?: string }).type !== undefined) {
    const msg = m as ServerMessage;
    switch (msg.type) {
      case "vote":
        return mix(1, msg.term, msg.lastIndex * 2 + (msg.pre ? 1 : 0));
      case "voteResp":
        return mix(2, msg.term, msg.granted ? 1 : 0);
      case "app":
        return mix(3, msg.term, msg.prevIndex * 1024 + msg.entries.length + msg.commit * 7);
      case "appResp":
        return mix(4, msg.term, msg.index * 2 + (msg.success ? 1 : 0));
      case "hb":
        return mix(5, msg.term, msg.seq * 31 + msg.commit);
      case "hbResp":
        return mix(6, msg.term, msg.seq);
      case "timeoutNow":
        return mix(7, msg.term, 0);
      case "snap":
        return mix(10, msg.term, msg.index * 1024 + msg.chunk);
      case "snapResp":
        return mix(11, msg.term, msg.index * 1024 + msg.next + 1);
      case "join":
        return mix(12, msg.from, 0);
      case "joinResp":
        return mix(13, msg.from, msg.leader * 8 + msg.status.length);
      case "readReq":
        return mix(14, msg.from, msg.ctx);
      case "readResp":
        return mix(15, msg.from, msg.ctx * 2048 + msg.index + 1);
    }
  }
  const msg = m as ClientRequest | ServerReply;
  if ("kind" in msg) return mix(8 + msg.kind.charCodeAt(0), msg.client, msg.seq);
  return mix(9, msg.client, msg.seq * 8 + msg.op.f.charCodeAt(0));
}

function mix(tag: number, a: number, b: number): number {
  let h = Math.imul(tag ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ a, 0xc2b2ae35);
  h = Math.imul(h ^ b, 0x27d4eb2f);
  return h ^ (h >>> 15);
}
