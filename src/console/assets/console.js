// The console's page script: live board updates (server-sent events), filters, and actions
// posted with the CSRF token. Rows arrive drawn by the server; this only places them.
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";
  const page = document.body.dataset.page;

  const post = async (url, body) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-csrf-token": csrf }, body: JSON.stringify(body), credentials: "same-origin" });
    if (!res.ok) throw new Error(`${res.status} ${(await res.json().catch(() => ({}))).message ?? ""}`);
    return res.json();
  };

  if (page === "board") {
    const body = document.querySelector("#board tbody");
    const form = document.getElementById("filters");
    // Filtering is the server's (it sees every open session): a change reloads with the filter in the URL.
    const want = {};
    for (const el of form.querySelectorAll("select")) {
      want[el.name] = el.value;
      el.addEventListener("change", () => form.submit());
    }
    // The board draws the riskiest rows only (0: all of them); live rows keep to the same cut.
    const limit = Number(document.querySelector(".board").dataset.limit || 0);
    const fits = (tr) => Object.entries(want).every(([k, v]) => !v || tr.dataset[k] === v);
    const place = (tr) => {
      const risk = Number(tr.dataset.risk);
      let before = null;
      for (const other of body.rows) {
        if (Number(other.dataset.risk) < risk) {
          before = other;
          break;
        }
      }
      if (!before && limit && body.rows.length >= limit) return; // below the cut
      body.insertBefore(tr, before);
      while (limit && body.rows.length > limit) body.lastElementChild.remove();
    };
    const live = document.getElementById("live");
    const events = new EventSource("/console/events");
    events.onopen = () => live.classList.remove("off");
    events.onerror = () => live.classList.add("off");
    events.addEventListener("rows", (e) => {
      const { rows, gone } = JSON.parse(e.data);
      for (const id of gone) document.getElementById(`s-${id}`)?.remove();
      for (const r of rows) {
        const t = document.createElement("tbody");
        t.innerHTML = r.html;
        const tr = t.firstElementChild;
        document.getElementById(`s-${r.id}`)?.remove();
        if (!fits(tr)) continue;
        tr.classList.add("flash");
        place(tr);
      }
      document.body.dataset.updates = String(Number(document.body.dataset.updates ?? 0) + 1);
      document.getElementById("count").textContent = String(body.rows.length);
    });

    // Waiting customers' clocks run on the page (from the server's clock, not this machine's).
    const skew = Number(document.body.dataset.now) - Date.now();
    const duration = (secs) =>
      secs <= 0 ? "—" : secs < 60 ? `${secs}s` : secs < 3600 ? `${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, "0")}s` : `${Math.floor(secs / 3600)}h${Math.floor((secs % 3600) / 60)}m`;
    setInterval(() => {
      const now = Date.now() + skew;
      for (const td of body.querySelectorAll("td[data-since]")) td.textContent = duration(Math.round((now - Number(td.dataset.since)) / 1000));
    }, 1000);
  }

  if (page === "session") {
    // New activity on this session: say so (a reload would lose the reader's place).
    const id = document.querySelector("h1[data-session]")?.dataset.session;
    const fresh = document.getElementById("fresh");
    if (id && fresh) {
      const events = new EventSource(`/console/events?session=${encodeURIComponent(id)}`);
      events.addEventListener("rows", (e) => {
        const { rows, gone } = JSON.parse(e.data);
        if (rows.some((r) => r.id === id) || gone.includes(id)) fresh.hidden = false;
      });
    }
    document.addEventListener("click", async (e) => {
      const b = e.target.closest("button");
      if (!b) return;
      try {
        if (b.dataset.alert) await post(`/console/api/alerts/${b.dataset.alert}/action`, { action: b.dataset.action, requestId: crypto.randomUUID() });
        else if (b.dataset.label) {
          // The few words typed beside the button (optional): what the team lead reads when calibrating.
          // (An input, not prompt(): in-app browsers may not show dialogs.)
          const input = b.previousElementSibling?.matches?.("input.note") ? b.previousElementSibling : null;
          const note = (input?.value ?? "").trim().slice(0, 500);
          await post("/console/api/labels", { target: b.dataset.label, id: Number(b.dataset.id), ...(note ? { note } : {}) });
        }
        else if (b.dataset.resolve) await post(`/console/api/labels/${b.dataset.resolve}/resolve`, { outcome: b.dataset.outcome });
        else return;
        location.reload();
      } catch (err) {
        alert(err.message);
      }
    });
  }

  // Today's numbers keep moving: the page reads them again every minute.
  if (page === "team") setTimeout(() => location.reload(), 60_000);

  if (page === "team" && window.echarts) {
    const data = JSON.parse(document.getElementById("hourly-data").textContent);
    const chart = window.echarts.init(document.getElementById("hourly"));
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: [data.labels.today, data.labels.yesterday, data.labels.alerts] },
      xAxis: { type: "category", data: data.hours },
      yAxis: [
        { type: "value", name: data.labels.messages },
        { type: "value", name: data.labels.alerts, minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        { name: data.labels.today, type: "bar", data: data.today },
        { name: data.labels.yesterday, type: "line", data: data.yesterday },
        { name: data.labels.alerts, type: "line", yAxisIndex: 1, data: data.alerts, itemStyle: { color: "#d83931" } },
      ],
    });
    document.body.dataset.chart = "drawn";
  }
})();
