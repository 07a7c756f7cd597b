/* Search excerpts without raw TeX (loaded by the search page only; see book/_ext/site_search.py).
 *
 * Sphinx cuts each hit's excerpt from the text of the page's HTML, where math is still TeX
 * source that MathJax typesets only when the page itself is shown. Before Sphinx takes the
 * text, inline math becomes plain text (\partial C/\partial w_1 -> ∂C/∂w₁) and display
 * equations are left out, so an excerpt reads as prose.
 */
"use strict";

const TEX_SYMBOLS = {
  alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", zeta: "ζ",
  eta: "η", theta: "θ", vartheta: "ϑ", kappa: "κ", lambda: "λ", mu: "μ", nu: "ν", xi: "ξ",
  pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ", varphi: "φ", chi: "χ", psi: "ψ",
  omega: "ω", Gamma: "Γ", Delta: "Δ", Theta: "Θ", Lambda: "Λ", Xi: "Ξ", Pi: "Π",
  Sigma: "Σ", Phi: "Φ", Psi: "Ψ", Omega: "Ω", ell: "ℓ", partial: "∂", nabla: "∇",
  infty: "∞", sum: "Σ", prod: "Π", int: "∫", cdot: "·", cdots: "⋯", ldots: "…", dots: "…",
  times: "×", odot: "⊙", circ: "∘", pm: "±", mp: "∓", le: "≤", leq: "≤", ge: "≥",
  geq: "≥", ne: "≠", neq: "≠", approx: "≈", sim: "∼", equiv: "≡", propto: "∝", to: "→",
  rightarrow: "→", leftarrow: "←", mapsto: "↦", Rightarrow: "⇒", iff: "⇔", in: "∈",
  notin: "∉", subset: "⊂", subseteq: "⊆", cup: "∪", cap: "∩", forall: "∀", exists: "∃",
  top: "ᵀ", intercal: "ᵀ", lVert: "‖", rVert: "‖", Vert: "‖", lvert: "|", rvert: "|",
  mid: "|", langle: "⟨", rangle: "⟩", lfloor: "⌊", rfloor: "⌋", lceil: "⌈", rceil: "⌉",
  log: "log", ln: "ln", exp: "exp", max: "max", min: "min", sin: "sin", cos: "cos",
  tanh: "tanh", det: "det", arg: "arg", argmin: "argmin", argmax: "argmax",
};
const SUBSCRIPTS = { 0: "₀", 1: "₁", 2: "₂", 3: "₃", 4: "₄", 5: "₅", 6: "₆", 7: "₇", 8: "₈", 9: "₉" };
const SUPERSCRIPTS = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** TeX source of one formula as readable plain text; no backslash survives. */
function texToText(tex) {
  let s = tex.replace(/^\s*\\\(|\\\)\s*$/g, "").replace(/^\s*\$+|\$+\s*$/g, "");
  // \frac{a}{b} -> (a)/(b), innermost first; \sqrt{x} -> √(x)
  for (let i = 0; i < 5; i++) {
    s = s.replace(/\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, (_, a, b) =>
      `${/^\w+$/.test(a) ? a : `(${a})`}/${/^\w+$/.test(b) ? b : `(${b})`}`);
    s = s.replace(/\\sqrt\s*\{([^{}]*)\}/g, "√($1)");
    s = s.replace(/\\(?:text|textrm|mathrm|mathit|mathbf|boldsymbol|operatorname|mathcal|mathbb)\s*\{([^{}]*)\}/g, "$1");
  }
  s = s.replace(/\\([A-Za-z]+)/g, (_, name) => (name in TEX_SYMBOLS ? TEX_SYMBOLS[name] : ""));
  s = s.replace(/_\{?([0-9])\}?(?![0-9])/g, (_, d) => SUBSCRIPTS[d]);
  s = s.replace(/\^\{?([0-9])\}?(?![0-9])/g, (_, d) => SUPERSCRIPTS[d]);
  s = s.replace(/\\[,;:!> ]|~/g, " ").replace(/\\\\/g, " ").replace(/\\[{}|]/g, "");
  s = s.replace(/[{}_^\\&]/g, "").replace(/\s+/g, " ");
  return s.trim();
}

function readableMath(htmlString) {
  const doc = new DOMParser().parseFromString(htmlString, "text/html");
  doc.querySelectorAll("div.math, .output.text_latex, mjx-container").forEach((el) => el.remove());
  doc.querySelectorAll("span.math").forEach((el) => el.replaceWith(texToText(el.textContent)));
  return doc.documentElement.outerHTML;
}

window.addEventListener("DOMContentLoaded", () => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const htmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => htmlToText(readableMath(htmlString), anchor);
});
