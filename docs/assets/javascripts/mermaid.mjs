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
  // How many render() calls have finished, drawn or failed, and why each failure failed: the browser tests
  // and tools/pdf.py wait until every diagram is drawn or this reaches the number of diagrams (one that
  // Mermaid cannot parse never is), then report the errors.
  settled: 0,
  errors: [],
  initialize(config) {
    settings = config;
  },
  async render(id, text) {
    try {
      // Material renders <pre class="mermaid"> elements and passes their text: find the one this call is for.
      const element = [...document.querySelectorAll("pre.mermaid")].find((e) => !claimed.has(e) && e.textContent === text);
      if (element) {
        claimed.add(element);
        await near(element);
      }
      return await (await load()).render(id, text);
    } catch (error) {
      lazyMermaid.errors.push(String(error?.message ?? error));
      throw error;
    } finally {
      lazyMermaid.settled += 1;
    }
  },
};
window.mermaid = lazyMermaid;
export default lazyMermaid;
