/* Answer boxes: the (module) Web Worker that runs the book's checkers with Pyodide.
 *
 * Started by answers.js on the reader's first Check, so a page whose boxes are never used
 * loads nothing. Everything comes from the site itself: the interpreter from the folder
 * named in the worker's URL (?pyodide=...), and sympy, mpmath and bpnotes as the wheels its
 * lock file lists. Messages in: {id, label, answer}. Messages out: {id, correct, message},
 * {id, failure} when the checker itself failed, or {progress} while loading.
 * The reader's text is passed to check() as a string; it is never run as code.
 */
"use strict";

const params = new URL(self.location.href).searchParams;
const interpreterURL = new URL(`${params.get("pyodide")}/`, self.location.href);
const stamp = params.get("v") || "";

const CHECKER = `
from bpnotes.exercises import check as _check


def _answer(label, answer):
    verdict = _check(label, answer)
    return bool(verdict.correct), str(verdict)


_answer
`;

let checker = null;

function progress(text) {
  self.postMessage({ progress: text });
}

async function load() {
  const { loadPyodide } = await import(new URL("pyodide.mjs", interpreterURL).href);
  progress("Loading Python in your browser (first check only)…");
  const pyodide = await loadPyodide({
    indexURL: interpreterURL.href,
    lockFileURL: new URL(`pyodide-lock.json?v=${stamp}`, interpreterURL).href,
    packages: ["bpnotes"],
    stdout: () => {},
    stderr: () => {},
  });
  progress("Starting the checker…");
  return pyodide.runPython(CHECKER);
}

function lastLine(error) {
  const lines = String(error && error.message ? error.message : error).trim().split("\n");
  return lines[lines.length - 1];
}

self.onmessage = async (event) => {
  const { id, label, answer } = event.data;
  let answerFor;
  try {
    checker = checker || load();
    answerFor = await checker;
  } catch (error) {
    checker = null; // a later Check tries again
    self.postMessage({ id, failure: `Python could not be loaded: ${lastLine(error)}` });
    return;
  }
  try {
    const result = answerFor(label, answer);
    const [correct, message] = result.toJs();
    result.destroy();
    self.postMessage({ id, correct, message });
  } catch (error) {
    self.postMessage({ id, failure: lastLine(error) });
  }
};
