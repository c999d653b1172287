// The language selector links to the same page in the other language; carry the
// current section (#anchor) along, since headings have the same ids in both.
document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest(".md-select a[hreflang]");
  if (link && location.hash) link.href = link.href.split("#")[0] + location.hash;
}, true);
