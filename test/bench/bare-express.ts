import express from "express";

// The physical limit for the webhook on this machine: express answering the same signed,
// encrypted POSTs with 200 after reading the raw body, and doing nothing else.
const app = express();
app.post("/lark/events", express.raw({ type: () => true, limit: 1_000_000 }), (_req, res) => {
  res.status(200).json({});
});
app.get("/healthz", (_req, res) => {
  res.json({ status: "ok" });
});
app.listen(Number(process.env.PORT), "127.0.0.1");
