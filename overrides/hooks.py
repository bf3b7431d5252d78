"""MkDocs hooks: every executable page is also offered as a Jupyter notebook.

mkdocs-jupyter copies each page's `.py` source next to its HTML (`include_source`);
this hook writes the same script as an `.ipynb` beside it, which the download button links.
"""

import os

import jupytext


def on_post_page(output, page, config):
    source = page.file.abs_src_path
    if source and source.endswith(".py") and getattr(page, "nb_url", None):
        target_dir = os.path.dirname(page.file.abs_dest_path)
        os.makedirs(target_dir, exist_ok=True)
        notebook = jupytext.read(source)
        name = os.path.basename(source)[: -len(".py")] + ".ipynb"
        jupytext.write(notebook, os.path.join(target_dir, name))
    return output
