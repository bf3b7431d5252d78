// MathJax 3 settings for every page: $...$ and \(...\) inline, $$...$$ and \[...\] displayed.
// Markdown pages wrap their maths in arithmatex spans; executed notebooks keep the raw
// delimiters. MathJax itself is served from this site (assets/mathjax/), never a CDN.
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    tags: "ams",
  },
  options: {
    skipHtmlTags: ["script", "noscript", "style", "textarea", "pre", "code"],
  },
};
