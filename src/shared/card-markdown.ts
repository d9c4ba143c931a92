/**
 * Text from outside (a customer, a channel's ids, an LLM's draft) as it goes into Lark card
 * markdown: it must not format, link, mention or draw anything. Backslash-escapes the markdown
 * characters; `&` as an entity, so `&#60;at id=all&#62;` stays those characters instead of
 * becoming a mention; a zero-width space after a `:` that touches the next character (no
 * `:emoji:`, no `https://` link)
 * and after a `www` (no bare-domain link); line breaks of any kind as one space.
 */
export const esc = (s: string) =>
  s
    .replace(/[\r\n\u2028\u2029]+/g, " ")
    .replace(/[\\<>*_~`[\]()#|!]/g, (c) => `\\${c}`)
    .replace(/&/g, "&#38;")
    .replace(/:(?=\S)/g, ":\u200b")
    .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\u200b.`);
