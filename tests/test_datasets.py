"""Offline datasets: shapes, dtypes, determinism, independent checks of content, bad input."""

import datetime
import gzip
import json
import os
import re

import keras
import numpy as np
import pytest

from keraslab import datasets
from keraslab.evaluation import gradient_boosting_accuracy, seasonal_naive
from tests.conftest import run_python


def test_digits_shapes_range_and_stratified_split():
    (x_train, y_train), (x_test, y_test) = datasets.load_digits()
    assert x_train.shape == (1437, 8, 8, 1) and x_test.shape == (360, 8, 8, 1)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int32
    assert 0.0 <= x_train.min() and x_train.max() <= 1.0
    assert set(np.unique(y_test)) == set(range(10))
    (x_again, _), _ = datasets.load_digits()
    np.testing.assert_array_equal(x_train, x_again)


def test_shapes_are_balanced_deterministic_and_in_range():
    (x_train, y_train), (x_test, y_test) = datasets.load_shapes(
        num_samples=400, image_size=24, noise=0.05, seed=3
    )
    assert x_train.shape == (320, 24, 24, 1) and x_test.shape == (80, 24, 24, 1)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() <= 1.0
    counts = np.bincount(np.concatenate([y_train, y_test]), minlength=4)
    np.testing.assert_array_equal(counts, [100, 100, 100, 100])
    (x_again, _), _ = datasets.load_shapes(num_samples=400, image_size=24, noise=0.05, seed=3)
    np.testing.assert_array_equal(x_train, x_again)
    (x_other, _), _ = datasets.load_shapes(num_samples=400, image_size=24, noise=0.05, seed=4)
    assert not np.array_equal(x_train, x_other)


def test_colour_shapes_have_three_channels():
    (x_train, _), _ = datasets.load_shapes(num_samples=40, image_size=16, color=True)
    assert x_train.shape == (32, 16, 16, 3)


@pytest.mark.parametrize(
    "name, area",
    [
        ("circle", np.pi * 0.5**2),
        ("square", 2 * 0.5**2),  # inscribed in the circle: side r * sqrt(2)
        ("triangle", 3 * np.sqrt(3) / 4 * 0.5**2),  # inscribed equilateral triangle
    ],
)
def test_drawn_shapes_cover_their_geometric_area(name, area):
    size = 200
    mask = datasets.draw_shape(name, size, center=(0.0, 0.0), radius=0.5, angle=0.3)
    pixel_area = (2.0 / size) ** 2
    assert mask.sum() * pixel_area == pytest.approx(area, rel=0.03)


@pytest.mark.parametrize(
    "kwargs, error, argument",
    [
        ({"num_samples": 3}, ValueError, "num_samples"),
        ({"image_size": 4}, ValueError, "image_size"),
        ({"image_size": 16.0}, TypeError, "image_size"),
        ({"noise": -0.1}, ValueError, "noise"),
        ({"test_fraction": 1.5}, ValueError, "test_fraction"),
    ],
)
def test_shapes_reject_bad_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        datasets.load_shapes(**kwargs)


def test_time_series_windows_match_the_series():
    series = datasets.make_time_series(length=300, period=30, noise=0.0)
    assert series.shape == (300,) and series.dtype == np.float32
    # With no noise, the series minus its trend repeats every period.
    t = np.arange(300)
    detrended = series - 0.002 * t
    np.testing.assert_allclose(detrended[30:], detrended[:-30], atol=1e-5)
    inputs, targets = datasets.make_windows(series, window=10, horizon=3)
    assert inputs.shape == (288, 10, 1) and targets.shape == (288, 3)
    np.testing.assert_array_equal(inputs[5, :, 0], series[5:15])
    np.testing.assert_array_equal(targets[5], series[15:18])


def test_time_series_split_is_chronological():
    (x_train, y_train), (x_test, _) = datasets.load_time_series(window=20, length=500, noise=0.0)
    series = datasets.make_time_series(length=500, noise=0.0)
    assert x_train.shape[1:] == (20, 1) and y_train.shape[1:] == (1,)
    np.testing.assert_array_equal(x_test[0, :, 0], series[400 - 20 : 400])


def test_make_windows_rejects_bad_input():
    with pytest.raises(ValueError, match="series must be 1-D.*\\(5, 2\\)"):
        datasets.make_windows(np.zeros((5, 2)), window=2)
    with pytest.raises(ValueError, match="too short"):
        datasets.make_windows(np.zeros(5), window=5)


def test_stock_prices_are_real_daily_closes():
    dates, close = datasets.load_stock_prices()
    assert dates.shape == close.shape == (1047,)
    assert str(dates[0]) == "2004-08-19" and close[0] == pytest.approx(100.34)
    assert np.all(np.diff(dates.astype("int64")) > 0)


def test_python_docs_corpus_round_trips():
    corpus = datasets.load_python_docs(validation_fraction=0.1)
    text = datasets.python_docs_text()
    assert len(text) > 300_000
    total = len(corpus.train) + len(corpus.validation)
    assert total == len(text)
    assert len(corpus.validation) == pytest.approx(0.1 * total, abs=1)
    assert corpus.vocabulary.decode(corpus.train[:500]) == text[:500]
    assert corpus.vocabulary.decode(corpus.validation[-200:]) == text[-200:]


def test_char_vocabulary_specials_and_errors():
    vocab = datasets.CharVocabulary("abc", special_tokens=("<pad>", "<bos>", "<eos>"))
    assert vocab.size == 6 and vocab.token_id("<pad>") == 0
    ids = vocab.encode("cab", add_bos=True, add_eos=True)
    np.testing.assert_array_equal(ids, [1, 5, 3, 4, 2])
    assert vocab.decode(np.concatenate([ids, [3, 3]])) == "cab"  # stops at <eos>
    with pytest.raises(ValueError, match="outside the vocabulary.*'z'"):
        vocab.encode("abz")


def test_lm_windows_shift_by_one():
    inputs, targets = datasets.make_lm_windows(np.arange(50), sequence_length=8, stride=4)
    np.testing.assert_array_equal(targets[:, :-1], inputs[:, 1:])
    np.testing.assert_array_equal(inputs[1], np.arange(4, 12))


# strptime patterns that read each generated format back, written independently of it.
_PARSERS = [
    "%A, %d %B %Y",
    "%m/%d/%y",
    "%m/%d/%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d %Y",
    "%d.%m.%Y",
    "%d-%b-%Y",
    "%a %d %b %Y",
    "%B %d %Y",
    "%Y/%m/%d",
]


def _parse(text):
    for pattern in _PARSERS:
        try:
            parsed = datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if "%y" in pattern and parsed.year >= 2050:
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    raise AssertionError(f"no parser reads {text!r}")


def test_dates_targets_are_the_iso_form_of_the_sources():
    (src_train, tgt_train), (src_test, tgt_test) = datasets.load_dates(num_train=600, num_test=200)
    assert len(src_train) == 600 and len(src_test) == 200
    for source, target in zip(src_train + src_test, tgt_train + tgt_test):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", target)
        assert _parse(source).isoformat() == target, source
    assert not set(tgt_train) & set(tgt_test)  # test dates are unseen
    assert len({len(s) for s in src_train}) > 3  # several formats


def test_dates_vocabularies_cover_every_source():
    (sources, targets), _ = datasets.load_dates(num_train=500, num_test=10, seed=1)
    source_vocab, target_vocab = datasets.date_vocabularies()
    for source, target in zip(sources, targets):
        assert source_vocab.decode(source_vocab.encode(source, add_eos=True)) == source
        assert target_vocab.decode(target_vocab.encode(target, add_bos=True)) == target


def test_dates_reject_bad_arguments():
    with pytest.raises(ValueError, match="formats"):
        datasets.load_dates(num_train=10, num_test=10, formats=["klingon"])
    with pytest.raises(ValueError, match="first_year and last_year"):
        datasets.load_dates(first_year=1900, last_year=2049)


@pytest.mark.parametrize(
    "loader, features, classes",
    [
        (datasets.load_breast_cancer, 30, 2),
        (datasets.load_wine, 13, 3),
    ],
)
def test_tables_are_standardised_on_training_statistics(loader, features, classes):
    (x_train, y_train), (x_test, y_test) = loader()
    assert x_train.shape[1] == x_test.shape[1] == features
    assert set(np.unique(y_train)) == set(range(classes))
    np.testing.assert_allclose(x_train.mean(axis=0), 0.0, atol=1e-4)
    np.testing.assert_allclose(x_train.std(axis=0), 1.0, atol=1e-3)
    (raw_train, _), _ = loader(standardize=False)
    assert np.abs(raw_train.mean(axis=0)).max() > 1.0


def _write_idx(path, array):
    header = (
        b"\x00\x00\x08"
        + bytes([array.ndim])
        + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    )
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


_OFFLINE = (
    "import urllib.error\n"
    "import keras.src.utils.file_utils as file_utils\n"
    "def no_network(*args, **kwargs):\n"
    "    raise urllib.error.URLError('network is unreachable')\n"
    "file_utils.urlretrieve = no_network\n"
)


def _write_fashion_mnist(folder, train=6, test=4, label=None, seed=0):
    """Writes the four idx files into `folder`; returns the arrays written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, count in [("train", train), ("t10k", test)]:
        images = rng.integers(0, 256, (count, 28, 28)).astype(np.uint8)
        labels = np.full(count, label) if label is not None else rng.integers(0, 10, count)
        _write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        _write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)
        arrays[split] = (images, labels.astype(np.uint8))
    return arrays


@pytest.fixture
def fashion_places(tmp_path, monkeypatch):
    """The three places load_fashion_mnist searches, all empty, and no network."""
    from keraslab.datasets import downloads

    places = {
        "data_dir": tmp_path / "data",
        "keras_home": tmp_path / "keras",
        "debian": tmp_path / "usr-share" / "fashion-mnist",
    }
    monkeypatch.setenv("KERASLAB_DATA_DIR", str(places["data_dir"]))
    monkeypatch.setenv("KERAS_HOME", str(places["keras_home"]))
    monkeypatch.setattr(downloads, "DEBIAN_FASHION_MNIST_FOLDER", str(places["debian"]))

    def offline_get_file(fname, origin, **kwargs):  # what keras's get_file raises offline
        raise Exception(f"URL fetch failure on {origin}: None -- network is unreachable")

    monkeypatch.setattr("keras.src.datasets.fashion_mnist.get_file", offline_get_file)
    return places


def test_fashion_mnist_parses_the_idx_files_it_finds(fashion_places):
    arrays = _write_fashion_mnist(fashion_places["data_dir"] / "fashion-mnist")
    (x, y), (x_test, y_test) = datasets.load_fashion_mnist()
    for got, want in [(x, arrays["train"][0]), (y, arrays["train"][1])]:
        assert got.dtype == np.uint8
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(x_test, arrays["t10k"][0])
    np.testing.assert_array_equal(y_test, arrays["t10k"][1])


def test_fashion_mnist_search_order(fashion_places, monkeypatch):
    _write_fashion_mnist(fashion_places["data_dir"] / "fashion-mnist", label=1)
    _write_fashion_mnist(fashion_places["keras_home"] / "datasets" / "fashion-mnist", label=2)
    _write_fashion_mnist(fashion_places["debian"], label=3)
    # A folder missing one of the four files is passed over.
    partial = fashion_places["data_dir"] / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz"
    assert datasets.load_fashion_mnist()[1][1][0] == 1
    partial.unlink()
    assert datasets.load_fashion_mnist()[1][1][0] == 2
    monkeypatch.delenv("KERASLAB_DATA_DIR")
    assert datasets.load_fashion_mnist()[1][1][0] == 2
    monkeypatch.setenv("KERAS_HOME", str(fashion_places["data_dir"]))
    assert datasets.load_fashion_mnist()[1][1][0] == 3


def test_fashion_mnist_offline_error_names_every_place(fashion_places):
    with pytest.raises(datasets.DatasetUnavailableError) as info:
        datasets.load_fashion_mnist()
    message = str(info.value)
    assert str(fashion_places["data_dir"]) in message and "KERASLAB_DATA_DIR" in message
    assert os.path.join(str(fashion_places["keras_home"]), "datasets", "fashion-mnist") in message
    assert str(fashion_places["debian"]) in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "network is unreachable" in message
    assert "train-images-idx3-ubyte.gz" in message


def _corrupt_truncated_gzip(path):
    path.write_bytes(path.read_bytes()[:-40])


def _corrupt_not_gzip(path):
    path.write_bytes(b"not a gzip file at all")


def _corrupt_short_data(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    with gzip.open(path, "wb") as f:
        f.write(data[:-28])


def _corrupt_magic(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    with gzip.open(path, "wb") as f:
        f.write(b"\x08\x03\x00\x00" + data[4:])


def _corrupt_ndim(path):
    _write_idx(path, np.zeros((4, 2, 2)))


@pytest.mark.parametrize(
    "corrupt, file, says",
    [
        (_corrupt_truncated_gzip, "train-images-idx3-ubyte.gz", "not a readable gzip"),
        (_corrupt_not_gzip, "t10k-labels-idx1-ubyte.gz", "not a readable gzip"),
        (_corrupt_short_data, "train-images-idx3-ubyte.gz", "truncated or corrupt.*6, 28, 28"),
        (_corrupt_magic, "t10k-images-idx3-ubyte.gz", "magic number.*08 03 00 00"),
        (_corrupt_ndim, "train-labels-idx1-ubyte.gz", "1-D idx array.*3-D"),
    ],
)
def test_fashion_mnist_corrupt_file_error_names_the_file(fashion_places, corrupt, file, says):
    folder = fashion_places["debian"]
    _write_fashion_mnist(folder)
    corrupt(folder / file)
    with pytest.raises(datasets.DatasetUnavailableError, match=says) as info:
        datasets.load_fashion_mnist()
    assert str(folder / file) in str(info.value)


def test_fashion_mnist_images_and_labels_must_agree(fashion_places):
    folder = fashion_places["debian"]
    _write_fashion_mnist(folder)
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.arange(3))
    with pytest.raises(datasets.DatasetUnavailableError, match="4 images but .* 3 labels"):
        datasets.load_fashion_mnist()


def test_read_idx_reads_wider_big_endian_types(tmp_path):
    array = (np.arange(-6, 6).reshape(3, 4) * 1000).astype(">i4")
    path = tmp_path / "wide-idx2-int.gz"
    header = b"\x00\x00\x0c\x02" + (3).to_bytes(4, "big") + (4).to_bytes(4, "big")
    with gzip.open(path, "wb") as f:
        f.write(header + array.tobytes())
    np.testing.assert_array_equal(datasets.read_idx(str(path)), array.astype(np.int32))


_DEBIAN = "/usr/share/datasets/fashion-mnist"


@pytest.mark.skipif(
    not os.path.isfile(os.path.join(_DEBIAN, "t10k-labels-idx1-ubyte.gz")),
    reason=f"the real Fashion-MNIST files are not in {_DEBIAN} "
    "(scripts/setup installs them with `apt-get install dataset-fashion-mnist`)",
)
def test_real_fashion_mnist_from_the_debian_package(monkeypatch):
    from keraslab.datasets import downloads

    monkeypatch.delenv("KERASLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("KERAS_HOME", "/nonexistent-keras-home")
    assert downloads.DEBIAN_FASHION_MNIST_FOLDER == _DEBIAN
    (x, y), (x_test, y_test) = datasets.load_fashion_mnist()
    assert x.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x.dtype == y.dtype == x_test.dtype == y_test.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(y), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(y_test), [1000] * 10)
    # Keras's own parser, pointed at the same files, is the reference.
    monkeypatch.setattr(
        "keras.src.datasets.fashion_mnist.get_file",
        lambda fname, origin, **kwargs: os.path.join(_DEBIAN, fname),
    )
    (x_ref, y_ref), (x_test_ref, y_test_ref) = keras.datasets.fashion_mnist.load_data()
    for got, want in [(x, x_ref), (y, y_ref), (x_test, x_test_ref), (y_test, y_test_ref)]:
        np.testing.assert_array_equal(got, want)


_DOWNLOADED = {"load_mnist": "mnist.npz", "load_imdb": "imdb.npz"}


@pytest.fixture(scope="module")
def offline_messages(tmp_path_factory):
    """Each downloading loader's error, from one fresh interpreter with an empty Keras cache
    (Keras reads `KERAS_HOME` when it is imported) and no network."""
    home = str(tmp_path_factory.mktemp("keras_home"))
    code = _OFFLINE + (
        "import json\n"
        "import keraslab.datasets as datasets\n"
        "messages = {}\n"
        f"for loader in {sorted(_DOWNLOADED)!r}:\n"
        "    try:\n"
        "        getattr(datasets, loader)()\n"
        "    except datasets.DatasetUnavailableError as error:\n"
        "        messages[loader] = str(error)\n"
        "print(json.dumps(messages))\n"
    )
    result = run_python(code, env={"KERAS_HOME": home})
    assert result.returncode == 0, result.stderr
    return home, json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("loader", sorted(_DOWNLOADED))
def test_download_without_network_names_file_and_cache_folder(offline_messages, loader):
    home, messages = offline_messages
    message = messages[loader]
    assert _DOWNLOADED[loader] in message
    assert os.path.join(home, "datasets") in message
    assert "network is unreachable" in message


def test_long_range_task_label_is_the_sign_of_the_marked_first_step():
    x, y = datasets.make_long_range_task(num_samples=400, length=12, noise=2.0, seed=5)
    assert x.shape == (400, 12, 2) and x.dtype == np.float32 and y.dtype == np.int32
    np.testing.assert_array_equal(y, (x[:, 0, 0] > 0).astype("int32"))
    np.testing.assert_array_equal(np.abs(x[:, 0, 0]), 1.0)
    np.testing.assert_array_equal(x[:, :, 1], np.eye(12)[[0] * 400])
    assert 0.4 < y.mean() < 0.6 and 1.8 < x[:, 1:, 0].std() < 2.2
    x_again, _ = datasets.make_long_range_task(num_samples=400, length=12, noise=2.0, seed=5)
    np.testing.assert_array_equal(x, x_again)
    with pytest.raises(ValueError, match="length"):
        datasets.make_long_range_task(length=1)


def _statsmodels_frame(name):
    return getattr(pytest.importorskip("statsmodels.datasets"), name).load_pandas().data


def test_co2_weekly_fills_missing_weeks_between_neighbours():
    raw = _statsmodels_frame("co2")["co2"].to_numpy()
    dates, co2 = datasets.load_co2()
    assert dates.shape == co2.shape == raw.shape == (2284,) and co2.dtype == np.float32
    assert str(dates[0]) == "1958-03-29" and np.all(np.diff(dates).astype(int) == 7)
    assert not np.isnan(co2).any()
    known = ~np.isnan(raw)
    np.testing.assert_allclose(co2[known], raw[known], rtol=1e-6)
    # Linear interpolation over the indices of the known weeks, by NumPy.
    steps = np.arange(len(raw))
    filled = np.interp(steps[~known], steps[known], raw[known])
    np.testing.assert_allclose(co2[~known], filled, rtol=1e-6)


def test_co2_monthly_is_the_mean_of_each_calendar_month():
    dates, weekly = datasets.load_co2()
    months, monthly = datasets.load_co2(frequency="monthly")
    assert months.shape == (526,) and str(months[0]) == "1958-03-01"
    of_week = dates.astype("datetime64[M]")
    for i in [0, 1, 100, 525]:
        np.testing.assert_allclose(
            monthly[i], weekly[of_week == months[i].astype("datetime64[M]")].mean(), rtol=1e-6
        )
    with pytest.raises(ValueError, match="frequency"):
        datasets.load_co2(frequency="daily")


def test_sunspots_are_the_statsmodels_years():
    frame = _statsmodels_frame("sunspots")
    years, sunspots = datasets.load_sunspots()
    assert years.shape == sunspots.shape == (309,)
    np.testing.assert_array_equal(years.astype(int) + 1970, frame["YEAR"].astype(int))
    np.testing.assert_allclose(sunspots, frame["SUNACTIVITY"], rtol=1e-6)
    assert str(years[0]) == "1700" and str(years[-1]) == "2008"


@pytest.mark.parametrize("window, horizon", [(12, 1), (24, 3)])
def test_split_windows_keeps_test_targets_after_training_ones(window, horizon):
    series = np.arange(526, dtype="float32")  # each value is its own index
    (x_train, y_train), (x_test, y_test) = datasets.split_windows(series, window, horizon)
    split = round(526 * 0.8)
    assert y_train.max() == split - 1 and y_test.min() == split  # no target on both sides
    np.testing.assert_array_equal(x_test[0, :, 0], series[split - window : split])
    assert x_train.shape == (split - window - horizon + 1, window, 1)
    assert y_test.shape == (526 - split - horizon + 1, horizon)


def test_seasonal_naive_repeats_the_value_one_season_ago():
    _, co2 = datasets.load_co2(frequency="monthly")
    (_, _), (x_test, y_test) = datasets.split_windows(co2, window=24)
    forecast = seasonal_naive(x_test, season=12)
    assert forecast.shape == y_test.shape
    split = round(len(co2) * 0.8)
    np.testing.assert_array_equal(forecast[:, 0], co2[split - 12 : len(co2) - 12])
    # Horizon beyond the season: by hand, each step takes the last value of its phase.
    inputs = np.arange(10.0)[None, :, None]
    np.testing.assert_array_equal(
        seasonal_naive(inputs, season=4, horizon=6), [[6.0, 7.0, 8.0, 9.0, 6.0, 7.0]]
    )
    np.testing.assert_array_equal(seasonal_naive(inputs, season=1, horizon=2), [[9.0, 9.0]])
    with pytest.raises(ValueError, match="season must be at most the window length 10"):
        seasonal_naive(inputs, season=11)
    with pytest.raises(ValueError, match=r"inputs must have shape .*\(2, 3, 4\)"):
        seasonal_naive(np.zeros((2, 3, 4)), season=1)


def test_fair_is_the_statsmodels_table_with_a_binary_target():
    frame = _statsmodels_frame("fair")
    (x_train, y_train), (x_test, y_test) = datasets.load_fair()
    assert x_train.shape[1] == x_test.shape[1] == 8 and x_train.dtype == np.float32
    assert len(x_train) + len(x_test) == len(frame) == 6366
    assert not np.isnan(x_train).any() and not np.isnan(x_test).any()
    names = datasets.feature_names("fair")
    assert list(names) == [c for c in frame.columns if c != "affairs"]
    # The split rows, sorted, are the table's rows; the target is affairs > 0.
    rows = np.concatenate([np.c_[x_train, y_train], np.c_[x_test, y_test]])
    table = np.c_[frame[list(names)].to_numpy("float32"), frame["affairs"] > 0]
    np.testing.assert_array_equal(rows[np.lexsort(rows.T[::-1])], table[np.lexsort(table.T[::-1])])
    assert y_train.mean() == pytest.approx(y_test.mean(), abs=0.01)  # stratified
    categorical = datasets.categorical_columns("fair")
    assert list(names[categorical]) == ["occupation", "occupation_husb"]
    assert set(np.unique(x_train[:, categorical])) == {1, 2, 3, 4, 5, 6}
    assert len(datasets.categorical_columns("wine")) == 0
    (x_again, _), _ = datasets.load_fair()
    np.testing.assert_array_equal(x_train, x_again)
    with pytest.raises(ValueError, match="name must be one of.*'fair'"):
        datasets.feature_names("iris")


def test_gradient_boosting_beats_the_majority_class_on_fair():
    pytest.importorskip("xgboost")
    (x_train, y_train), (x_test, y_test) = datasets.load_fair()
    accuracy = gradient_boosting_accuracy(
        x_train, y_train, x_test, y_test, datasets.categorical_columns("fair")
    )
    majority = max(y_test.mean(), 1 - y_test.mean())
    assert majority < accuracy <= 1.0
