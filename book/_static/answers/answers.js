/* Answer boxes: check an exercise's answer in the browser, with the book's own checkers.
 *
 * Each box (class bpn-check, data-exercise="<label>") has one field, one button and one
 * verdict element (class bpn-verdict). Pressing Check, or Enter in the field, sends the
 * field's text to a Web Worker (worker.js) that runs bpnotes.exercises.check in Pyodide.
 * Nothing is loaded until the first Check; the worker then lives as long as the page.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  const base = new URL(".", script.src);
  const stamp = script.dataset.stamp || "";
  const interpreter = script.dataset.pyodide || "pyodide";
  // The first check loads Python and sympy; later ones answer in well under a second.
  const FIRST_LIMIT_MS = 120000;
  const LATER_LIMIT_MS = 30000;

  let worker = null;
  let loaded = false;
  let nextId = 1;
  const pending = new Map();

  function show(box, state, text) {
    const verdict = box.querySelector(".bpn-verdict");
    verdict.textContent = text;
    box.dataset.state = state;
  }

  function settle(id, state, text) {
    const job = pending.get(id);
    if (!job) return;
    pending.delete(id);
    clearTimeout(job.timer);
    job.box.querySelector("button").disabled = false;
    show(job.box, state, text);
  }

  function startWorker() {
    const url = new URL("worker.js", base);
    url.searchParams.set("v", stamp);
    url.searchParams.set("pyodide", interpreter);
    worker = new Worker(url, { type: "module" });
    worker.onmessage = (event) => {
      const data = event.data;
      if (data.progress !== undefined) {
        for (const job of pending.values()) show(job.box, "loading", data.progress);
        return;
      }
      if (data.failure !== undefined) {
        settle(data.id, "failure", `✘ The answer could not be checked here: ${data.failure}`);
        return;
      }
      loaded = true;
      settle(data.id, data.correct ? "right" : "wrong", data.message);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      stopWorker(`✘ Python could not be started in this browser (${event.message || "error"}).`);
    };
  }

  function stopWorker(text) {
    if (worker) worker.terminate();
    worker = null;
    loaded = false;
    for (const id of [...pending.keys()]) settle(id, "failure", text);
  }

  function check(box) {
    const field = box.querySelector("input, textarea, select");
    const button = box.querySelector("button");
    if (button.disabled) return;
    const answer = field.value;
    if (!worker) startWorker();
    const id = nextId++;
    const limit = loaded ? LATER_LIMIT_MS : FIRST_LIMIT_MS;
    const timer = setTimeout(() => {
      stopWorker(`✘ The check took longer than ${limit / 1000} s and was stopped; `
        + "try a simpler form of your answer.");
    }, limit);
    pending.set(id, { box, timer });
    button.disabled = true;
    show(box, "loading", loaded ? "Checking…" : "Loading Python in your browser (first check only)…");
    worker.postMessage({ id, label: box.dataset.exercise, answer });
  }

  for (const box of document.querySelectorAll(".bpn-check")) {
    const field = box.querySelector("input, textarea, select");
    box.querySelector("button").addEventListener("click", () => check(box));
    field.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        check(box);
      }
    });
  }
})();
