import OpenAI from "openai";
import { z } from "zod";

/** What the scorers need from a language model: one structured answer, validated. */
export interface LlmClient {
  readonly model: string;
  json<T>(req: { system: string; user: string; name: string; schema: z.ZodType<T> }): Promise<T>;
  /** One embedding vector per input text. */
  embed(texts: string[]): Promise<number[][]>;
}

export class LlmOutputError extends Error {}

export interface LlmOptions {
  apiKey: string;
  baseURL?: string;
  model: string;
  embeddingModel: string;
  timeoutMs: number;
}

/**
 * Any OpenAI-compatible endpoint through the `openai` package, asking for JSON that matches a
 * zod schema (structured output) and validating it again here: a model that answers off-schema
 * is an error, and the caller keeps its offline result.
 */
export function createOpenAiClient(o: LlmOptions): LlmClient {
  const client = new OpenAI({ apiKey: o.apiKey, baseURL: o.baseURL, timeout: o.timeoutMs, maxRetries: 0 });
  return {
    model: o.model,
    async embed(texts) {
      const res = await client.embeddings.create({ model: o.embeddingModel, input: texts });
      const out = res.data.sort((a, b) => a.index - b.index).map((d) => d.embedding);
      if (out.length !== texts.length) throw new LlmOutputError(`expected ${texts.length} embeddings, got ${out.length}`);
      return out;
    },
    async json({ system, user, name, schema }) {
      const res = await client.chat.completions.create({
        model: o.model,
        temperature: 0,
        messages: [
          { role: "system", content: system },
          { role: "user", content: user },
        ],
        response_format: { type: "json_schema", json_schema: { name, strict: true, schema: z.toJSONSchema(schema) as Record<string, unknown> } },
      });
      const text = res.choices[0]?.message?.content;
      if (!text) throw new LlmOutputError("empty answer");
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new LlmOutputError("answer is not JSON");
      }
      const r = schema.safeParse(parsed);
      if (!r.success) throw new LlmOutputError(`answer does not match the schema: ${r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
      return r.data;
    },
  };
}
