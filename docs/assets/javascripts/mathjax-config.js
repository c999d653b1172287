// MathJax 3 settings for pymdownx.arithmatex (generic mode).
// No autoload/require: every macro must come from the bundled packages, so a
// typo is rendered as an error (and caught by the browser tests) instead of
// triggering a download.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    packages: { "[-]": ["autoload", "require", "noundefined"] },
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};
