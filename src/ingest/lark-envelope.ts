/** A Lark event envelope (schema 2.0) once decrypted: what the edge hands to the inbox. */
export interface LarkEnvelope {
  schema: "2.0";
  header: { event_id: string; event_type: string; create_time?: string; token?: string; app_id?: string; tenant_key?: string };
  event: Record<string, unknown>;
}
