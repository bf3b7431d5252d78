// mkdocs-jupyter would load MathJax 2 from a CDN; the site loads its own MathJax 3 on every page (mathjax-config.js).
