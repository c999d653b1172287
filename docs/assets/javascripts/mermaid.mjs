// Mermaid for Material, loaded and run only when a diagram comes near the screen.
//
// mkdocs-mermaid2 imports this module on pages with a diagram (mkdocs.yml, mermaid2's `javascript`), and
// Material's bundle draws each diagram through the global `mermaid`: initialize() once, then render() for
// every diagram on the page, at once. Drawing them all at once, with the whole library, is most of a phone's
// first seconds on a page with diagrams. So the global here is a stand-in: render() waits until its diagram
// is within a screen of the viewport (a diagram in a tab: its set of tabs), then loads Mermaid's ESM build
// (docs/assets/vendor/mermaid/, npm mermaid@11.17.2 unchanged), which fetches only the chunks that a
// flowchart needs, and draws with it. Material still does the drawing: its theme, dark mode and fonts.
const library = new URL("../vendor/mermaid/mermaid.esm.min.mjs", import.meta.url).href;
let settings = {};
let loaded = null;
const load = () =>
  (loaded ??= import(library).then(({ default: mermaid }) => {
    mermaid.initialize({ ...settings, startOnLoad: false });
    return mermaid;
  }));

const claimed = new Set();
const near = (element) =>
  new Promise((resolve) => {
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          observer.disconnect();
          resolve();
        }
      },
      { rootMargin: "100% 0px" }, // a screen's height ahead, above and below
    );
    observer.observe(element.closest(".tabbed-set") || element);
  });

const lazyMermaid = {
  initialize(config) {
    settings = config;
  },
  async render(id, text) {
    // Material renders <pre class="mermaid"> elements and passes their text: find the one this call is for.
    const element = [...document.querySelectorAll("pre.mermaid")].find((e) => !claimed.has(e) && e.textContent === text);
    if (element) {
      claimed.add(element);
      await near(element);
    }
    return (await load()).render(id, text);
  },
};
window.mermaid = lazyMermaid;
export default lazyMermaid;
