"""MkDocs hooks.

* Every executable page is also offered as a Jupyter notebook: mkdocs-jupyter copies each
  page's `.py` source next to its HTML (`include_source`); `on_post_page` writes the same
  script as an `.ipynb` beside it, which the download button links. Its first cell
  installs keraslab and sets the backend, so the notebook runs on its own.
* MathJax 3 is served from the site: `on_post_build` copies it from the
  `django-static-mathjax` package (MathJax's own release files, installed by the set-up)
  into `assets/mathjax/`, so no page asks a CDN for scripts or fonts.
* Pages execute several at a time: mkdocs-jupyter runs each page's kernel when it renders
  the page, one page after another. `on_files` instead starts every executable page's
  kernel at once, `KERASLAB_DOCS_JOBS` at a time (default: one per core), longest first
  by the page times in `docs/parity/course.json`, each kernel with `cores // jobs`
  threads; the render then takes the executed notebook instead of running it again.
  On the 2-core machine the full build took 639 s this way, and 927 s the same day one
  page at a time on two threads (see README).
"""

import concurrent.futures
import json
import logging
import os
import shutil
import time

import jupytext
import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

MATHJAX_COMPONENT = "tex-chtml.js"


log = logging.getLogger("mkdocs.hooks")
_execute = ExecutePreprocessor.preprocess
_pages = {}  # a page's cell sources -> the future of its executed notebook
_jobs = 1


def _cells(notebook):
    return tuple(cell.source for cell in notebook.cells)


def _preprocess(self, nb, resources=None, km=None):
    """`ExecutePreprocessor.preprocess` for the render: a page started by `on_files` is
    waited for, not run again."""
    future = _pages.get(_cells(nb))
    if future is None:
        return _execute(self, nb, resources, km)
    try:
        return future.result(), resources
    except BaseException:
        for other in _pages.values():
            other.cancel()
        raise


def _page_seconds(config):
    """Each page's time (`foundations/neurons.py` -> seconds) in the last full course run,
    under the build's backend where it ran there, or else under TensorFlow."""
    path = os.path.join(config["docs_dir"], "parity", "course.json")
    if not os.path.exists(path):
        return {}
    with open(path) as file:
        pages = json.load(file)["pages"]
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return {
        f"{name}.py": (runs.get(backend) or runs.get("tensorflow") or {}).get("seconds", 0)
        for name, runs in pages.items()
    }


def on_config(config):
    global _jobs
    cores = len(os.sched_getaffinity(0))
    value = os.environ.get("KERASLAB_DOCS_JOBS", str(cores))
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"KERASLAB_DOCS_JOBS must be a whole number >= 1; received {value!r}.")
    _jobs = int(value)
    threads = max(1, cores // _jobs)
    # The kernels inherit these (the same as keraslab.course.runs.thread_environment, which
    # this process does not import: it would load Keras); a setting of the caller's wins.
    multi_thread = "true" if threads > 1 else "false"
    os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", str(threads))
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", str(threads))
    os.environ.setdefault(
        "XLA_FLAGS",
        f"--xla_cpu_multi_thread_eigen={multi_thread} intra_op_parallelism_threads={threads}",
    )
    return config


def on_files(files, config):
    plugin = config.plugins["mkdocs-jupyter"]
    if _jobs == 1 or not plugin.config["execute"]:
        return files
    seconds = _page_seconds(config)
    pages = [f for f in files if f.src_uri.endswith(".py") and plugin.should_include(f)]
    pages.sort(key=lambda f: seconds.get(f.src_uri, 0), reverse=True)
    settings = {
        "kernel_name": plugin.config["kernel_name"],
        "allow_errors": plugin.config["allow_errors"],
        "store_widget_state": True,
    }
    pool = concurrent.futures.ThreadPoolExecutor(_jobs, thread_name_prefix="page")
    _pages.clear()
    for page in pages:
        # The notebook as mkdocs-jupyter hands it to nbconvert: py:percent read as ipynb.
        source = jupytext.writes(jupytext.read(page.abs_src_path), fmt="ipynb")
        notebook = nbformat.reads(source, as_version=4)
        _pages[_cells(notebook)] = pool.submit(_run, page.src_uri, notebook, settings)
    pool.shutdown(wait=False)
    ExecutePreprocessor.preprocess = _preprocess
    return files


def _run(name, notebook, settings):
    start = time.perf_counter()
    executed, _ = _execute(ExecutePreprocessor(**settings), notebook, {})
    log.info("Executed %s in %.0f s", name, time.perf_counter() - start)
    return executed


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
