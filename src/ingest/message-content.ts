import { own } from "../shared/own.ts";
/**
 * Lark message content (a JSON string whose shape depends on message_type) → plain text.
 * Mentions (@_user_1) are replaced by the mentioned person's name. Media become placeholders
 * so the conversation still reads in order.
 */
export interface Mention {
  key: string;
  name?: string;
}

type PostNode = { tag?: string; text?: string; user_name?: string; user_id?: string; href?: string; emoji_type?: string };
type Post = { title?: string; content?: PostNode[][] };

const PLACEHOLDER: Record<string, string> = {
  image: "[image]",
  file: "[file]",
  audio: "[audio]",
  media: "[video]",
  sticker: "[sticker]",
  interactive: "[card]",
  share_chat: "[shared chat]",
  share_user: "[shared contact]",
  location: "[location]",
  merge_forward: "[forwarded messages]",
};

/**
 * One pass over the text: each mention key (@_user_1, @_all) is replaced by its person's name,
 * and a name is never scanned again (a name containing a later key must not multiply the text).
 */
function resolveMentions(text: string, mentions: Mention[]): string {
  if (!mentions.length) return text;
  const names = new Map(mentions.filter((m) => m.key).map((m) => [m.key, m.name ? `@${m.name}` : "@"]));
  return text.replace(/@_(?:user_\d{1,6}|all)/g, (key) => names.get(key) ?? key);
}

function postToText(post: Post, mentions: Mention[]): string {
  // A received post has no locale wrapper; a sent one may ({zh_cn: {...}}). Accept both.
  const body: Post = post.content ? post : ((Object.values(post).find((v) => v && typeof v === "object" && "content" in (v as object)) as Post) ?? {});
  const lines = (Array.isArray(body.content) ? body.content : []).map((line) =>
    (Array.isArray(line) ? line : [])
      .map((n) => {
        if (!n || typeof n !== "object") return "";
        switch (n.tag) {
          case "text":
          case "a":
            return n.text ?? "";
          case "at":
            return n.user_name ? `@${n.user_name}` : resolveMentions(n.user_id ?? "", mentions);
          case "img":
            return "[image]";
          case "media":
            return "[video]";
          case "emotion":
            return n.emoji_type ? `[${n.emoji_type.toLowerCase()}]` : "";
          case "code_block":
            return n.text ?? "";
          default:
            return "";
        }
      })
      .join(""),
  );
  return [typeof body.title === "string" ? body.title : "", ...lines].filter((l) => l?.trim()).join("\n");
}

/** Whatever Lark (or a forger) put in `content`: the documented JSON string, or anything else. */
export function contentToText(messageType: string, content: unknown, mentions: Mention[] = []): string {
  let parsed: unknown;
  if (typeof content === "string") {
    try {
      parsed = content ? JSON.parse(content) : {};
    } catch {
      return content;
    }
  } else parsed = content;
  const c = (parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : {}) as Record<string, unknown>;
  if (messageType === "text") return resolveMentions(typeof c.text === "string" ? c.text : "", mentions).trim();
  if (messageType === "post") return postToText(c as Post, mentions).trim();
  return own(PLACEHOLDER, messageType) ?? `[${messageType}]`;
}
