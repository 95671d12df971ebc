/* Progress dashboard: poll the outbox endpoint and keep the counters and the batch bar fresh.
   The page is complete without this script; it only saves a reload. */
(function () {
  "use strict";
  var box = document.getElementById("progress-status");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var every = 4000;

  function set(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = String(value); }
  }

  function render(data) {
    var o = data.outbox, r = data.runner;
    set("outbox-queued", o.queued); set("outbox-sending", o.sending);
    set("outbox-failed", o.failed); set("outbox-bounced", o.bounced);
    var state = document.getElementById("runner-state");
    if (state) {
      state.className = r.alive ? "ok" : "error";
      state.setAttribute("data-alive", r.alive ? "1" : "0");
    }
    var up = document.getElementById("runner-up"), down = document.getElementById("runner-down");
    if (up && down) { up.hidden = !r.alive; down.hidden = r.alive; }
    var batch = document.getElementById("outbox-batch");
    var bar = document.getElementById("outbox-bar");
    if (batch && bar) {
      // A frozen bar would lie: show it only while the runner is alive and a batch is going.
      batch.hidden = !(o.batch.active && r.alive);
      bar.max = Math.max(o.batch.total, 1);
      bar.value = o.batch.done;
      bar.textContent = o.batch.percent + "%";
      set("outbox-batch-text", o.batch.done + " / " + o.batch.total);
    }
    set("outbox-at", new Date().toLocaleTimeString());
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (resp) { return resp.ok ? resp.json() : null; })
      .then(function (data) { if (data) { render(data); } })
      .catch(function () { /* keep the last figures; the next poll tries again */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
}());
