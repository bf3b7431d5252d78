"""MkDocs hooks.

* Every executable page is also offered as a Jupyter notebook: mkdocs-jupyter copies each
  page's `.py` source next to its HTML (`include_source`); `on_post_page` writes the same
  script as an `.ipynb` beside it, which the download button links. Its first cell
  installs keraslab and sets the backend, so the notebook runs on its own.
* MathJax 3 is served from the site: `on_post_build` copies it from the
  `django-static-mathjax` package (MathJax's own release files, installed by the set-up)
  into `assets/mathjax/`, so no page asks a CDN for scripts or fonts.
"""

import os
import shutil

import jupytext

MATHJAX_COMPONENT = "tex-chtml.js"


def on_post_page(output, page, config):
    source = page.file.abs_src_path
    if source and source.endswith(".py") and getattr(page, "nb_url", None):
        target_dir = os.path.dirname(page.file.abs_dest_path)
        os.makedirs(target_dir, exist_ok=True)
        notebook = jupytext.read(source)
        notebook.cells.insert(0, install_cell(notebook))
        name = os.path.basename(source)[: -len(".py")] + ".ipynb"
        jupytext.write(notebook, os.path.join(target_dir, name))
    return output


def install_cell(notebook):
    """The first cell of a downloaded notebook: it installs keraslab, picks the backend."""
    return jupytext.reads(
        "# %%\n"
        "# Run this first on a fresh machine (Colab, a new venv); in a clone of keraslab,\n"
        "# `pip install -e '.[docs]'` does the same. Pick the backend before Keras is\n"
        "# imported: tensorflow, torch or jax.\n"
        "%pip install --quiet 'keraslab[docs]'\n"
        "import os\n"
        "os.environ.setdefault('KERAS_BACKEND', 'tensorflow')\n",
        fmt="py:percent",
    ).cells[0]


def mathjax_folder():
    """MathJax's `es5/` release folder, as the `django-static-mathjax` package ships it."""
    import mathjax

    return os.path.join(os.path.dirname(mathjax.__file__), "static", "mathjax", "es5")


def on_post_build(config):
    source = mathjax_folder()
    # The one combined component the pages load, plus the folders it loads fonts and
    # extensions from; the other combined components are left out.
    others = {name for name in os.listdir(source) if name.endswith(".js")} - {MATHJAX_COMPONENT}
    shutil.copytree(
        source,
        os.path.join(config["site_dir"], "assets", "mathjax"),
        ignore=lambda folder, names: others if folder == source else (),
        dirs_exist_ok=True,
    )
