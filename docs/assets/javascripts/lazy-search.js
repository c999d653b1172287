// Material downloads the search index and starts the search worker as soon as a page
// loads: more bytes than the rest of a typical page. Defer both until the reader opens
// search. Must run before Material's bundle, which makes both requests at start-up.
(() => {
  let opened = false;
  const waiting = [];
  const open = () => {
    if (opened) return;
    opened = true;
    waiting.splice(0).forEach((send) => send());
  };
  // The index is fetched with XMLHttpRequest: hold its send() until search opens.
  const xhrOpen = XMLHttpRequest.prototype.open;
  const xhrSend = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    this.isSearchIndex = /search_index\.json$/.test(String(url));
    return xhrOpen.call(this, method, url, ...rest);
  };
  XMLHttpRequest.prototype.send = function (...args) {
    if (!this.isSearchIndex || opened) return xhrSend.apply(this, args);
    waiting.push(() => xhrSend.apply(this, args));
  };
  // The worker gets its first message only once the index has arrived: start it then.
  const RealWorker = window.Worker;
  window.Worker = function (url, options) {
    if (!/\/workers\/search\./.test(String(url))) return new RealWorker(url, options);
    let worker = null;
    const listeners = [];
    const start = () => {
      worker = new RealWorker(url, options);
      listeners.forEach((args) => worker.addEventListener(...args));
      return worker;
    };
    return {
      addEventListener: (...args) => (worker ? worker.addEventListener(...args) : listeners.push(args)),
      removeEventListener: (type, listener) => {
        if (worker) worker.removeEventListener(type, listener);
        else listeners.splice(0, listeners.length, ...listeners.filter((args) => args[1] !== listener));
      },
      postMessage: (...args) => (worker || start()).postMessage(...args),
      terminate: () => worker && worker.terminate(),
    };
  };
  // Opening search: focusing its box (click, or the / s f shortcuts) or the mobile toggle.
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof Element && event.target.matches("[data-md-component=search-query]")) open();
  });
  document.addEventListener("change", (event) => {
    if (event.target instanceof Element && event.target.id === "__search") open();
  });
  // A page reached from a search result highlights the terms (?h=...), which needs the index.
  if (new URLSearchParams(location.search).has("h")) open();
})();
