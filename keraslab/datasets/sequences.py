"""Offline sequence datasets: a generated time series, a long-range memory task and real
series (Google stock prices, Mauna Loa CO2, yearly sunspots)."""

import numpy as np

from keraslab import _validation as check


def make_time_series(length=2000, period=50, trend=0.002, amplitude=1.0, noise=0.1, seed=0):
    """Generates `trend * t + amplitude * seasonality(t) + noise`, one value per step.

    The seasonality is a sum of two sines (periods `period` and `period / 2`), so the
    series is periodic but not a pure sine.

    Args:
        length: int, number of time steps. Defaults to `2000`.
        period: int, main seasonal period in steps. Defaults to `50`.
        trend: float, slope per step. Defaults to `0.002`.
        amplitude: float, scale of the seasonal part. Defaults to `1.0`.
        noise: float, standard deviation of Gaussian noise. Defaults to `0.1`.
        seed: int, seed of the noise. Defaults to `0`.

    Returns:
        float32 array of shape `(length,)`.
    """
    check.positive_int("length", length, minimum=2)
    check.positive_int("period", period, minimum=2)
    t = np.arange(length, dtype="float64")
    seasonal = np.sin(2 * np.pi * t / period) + 0.5 * np.sin(4 * np.pi * t / period + 1.0)
    rng = np.random.default_rng(seed)
    series = trend * t + amplitude * seasonal + rng.normal(0.0, noise, length)
    return series.astype("float32")


def make_windows(series, window, horizon=1):
    """Slices a 1-D series into `(inputs, targets)` for forecasting.

    Args:
        series: array of shape `(T,)`.
        window: int, input steps per example.
        horizon: int, number of future steps to predict. Defaults to `1`.

    Returns:
        `inputs` of shape `(N, window, 1)` and `targets` of shape `(N, horizon)`, with
        `N = T - window - horizon + 1`.
    """
    series = np.asarray(series, dtype="float32")
    if series.ndim != 1:
        raise ValueError(
            f"Argument series must be 1-D with shape (T,); received shape {series.shape}."
        )
    check.positive_int("window", window)
    check.positive_int("horizon", horizon)
    count = len(series) - window - horizon + 1
    if count < 1:
        raise ValueError(
            f"Argument series is too short: length {len(series)} < window + horizon "
            f"({window} + {horizon})."
        )
    index = np.arange(window + horizon)[None, :] + np.arange(count)[:, None]
    frames = series[index]
    return frames[:, :window, None], frames[:, window:]


def split_windows(series, window, horizon=1, test_fraction=0.2):
    """Splits a 1-D series in time, then cuts each part into forecasting windows.

    The first `1 - test_fraction` of the steps are for training. Every test target comes
    strictly after every training target; the first test inputs reach back `window` steps
    into the training part, as a forecast made at the split would.

    Args:
        series: array of shape `(T,)`.
        window: int, input steps per example.
        horizon: int, number of future steps to predict. Defaults to `1`.
        test_fraction: float, final share of the series kept for testing. Defaults to `0.2`.

    Returns:
        `(x_train, y_train), (x_test, y_test)` as in `make_windows`: inputs
        `(N, window, 1)` and targets `(N, horizon)`, float32.

    Example:

    >>> (x, y), (xt, yt) = split_windows(np.arange(100), window=12, test_fraction=0.25)
    >>> int(y.max()), int(yt.min()), xt.shape
    (74, 75, (25, 12, 1))
    """
    check.fraction("test_fraction", test_fraction)
    split = int(round(len(series) * (1 - test_fraction)))
    train, test = series[:split], series[split - window :]
    return make_windows(train, window, horizon), make_windows(test, window, horizon)


def load_time_series(window=48, horizon=1, length=2000, test_fraction=0.2, seed=0, **kwargs):
    """A generated series (`make_time_series`) split in time, then cut into windows.

    The test windows come strictly after the training ones, as in real forecasting.

    Args:
        window: int, input steps per example. Defaults to `48`.
        horizon: int, steps to predict. Defaults to `1`.
        length: int, length of the whole series. Defaults to `2000`.
        test_fraction: float, final share of the series kept for testing. Defaults to `0.2`.
        seed: int, seed of the noise. Defaults to `0`.
        **kwargs: further arguments of `make_time_series`.

    Returns:
        `(x_train, y_train), (x_test, y_test)` with inputs `(N, window, 1)` and targets
        `(N, horizon)`, float32.
    """
    series = make_time_series(length=length, seed=seed, **kwargs)
    return split_windows(series, window, horizon, test_fraction)


def make_long_range_task(num_samples=3000, length=40, noise=4.0, seed=0):
    """A binary task whose label is set by the first element of a long, noisy sequence.

    Each sequence has two features. Feature 0 holds, at step 0, the signal `±1`, and at
    every later step Gaussian noise of standard deviation `noise`: the distractors arrive
    in the same channel as the signal. Feature 1 is a marker, `1` at step 0 and `0`
    elsewhere. The label is `1` when the signal is `+1`.

    A model must keep one bit for `length - 1` steps while strong inputs keep arriving.
    A gated network (LSTM, GRU) can learn to write at the marker and then hold; a plain
    RNN adds every input into its state, and its gradient from the last step back to the
    first vanishes, so it stays near chance (50%).

    Args:
        num_samples: int, number of sequences. Defaults to `3000`.
        length: int, steps per sequence, at least 2. Defaults to `40`.
        noise: float, standard deviation of the distractors. Defaults to `4.0`.
        seed: int, seed of the generator. Defaults to `0`.

    Returns:
        `(x, y)`: float32 inputs of shape `(num_samples, length, 2)` and int32 labels of
        shape `(num_samples,)` in `{0, 1}`, balanced in expectation.
    """
    check.positive_int("num_samples", num_samples)
    check.positive_int("length", length, minimum=2)
    if noise < 0:
        raise ValueError(f"Argument noise must be >= 0; received {noise}.")
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=num_samples)
    x = np.zeros((num_samples, length, 2), dtype="float32")
    x[:, 0, 0] = 2.0 * labels - 1.0
    x[:, 1:, 0] = rng.normal(0.0, noise, size=(num_samples, length - 1))
    x[:, 0, 1] = 1.0
    return x, labels.astype("int32")


def load_stock_prices():
    """Daily closing prices of Google stock, 2004-08-19 to 2008-10-10 (1,047 trading days).

    The series ships with matplotlib (`matplotlib.cbook.get_sample_data("goog.npz")`),
    so it is real data that needs no download.

    Returns:
        `(dates, close)`: `datetime64[D]` array and float32 array, both of shape `(1047,)`.
    """
    try:
        from matplotlib import cbook
    except ImportError as error:
        raise ImportError(
            "load_stock_prices() reads a file shipped with matplotlib; "
            "install it with `pip install matplotlib`."
        ) from error
    prices = cbook.get_sample_data("goog.npz")["price_data"]
    return prices["date"], prices["close"].astype("float32")


def _statsmodels_data(name):
    try:
        from statsmodels import datasets
    except ImportError as error:
        raise ImportError(
            f"load_{name}() reads a table shipped with statsmodels; "
            "install it with `pip install statsmodels`."
        ) from error
    return getattr(datasets, name).load_pandas().data


def load_co2(frequency="weekly"):
    """Atmospheric CO2 at Mauna Loa, in ppm: weekly, 1958-03-29 to 2001-12-29.

    The series ships with statsmodels (`statsmodels.datasets.co2`). Its 59 missing weeks
    are filled by linear interpolation between their neighbours. It has a trend and a
    yearly season (52 weeks, 12 months).

    Args:
        frequency: `"weekly"` (2,284 Saturdays) or `"monthly"` (526 calendar-month means,
            dated on the 1st; the first month, March 1958, holds one week). Defaults to
            `"weekly"`.

    Returns:
        `(dates, co2)`: `datetime64[D]` array and float32 array of the same length.
    """
    check.one_of("frequency", frequency, ("weekly", "monthly"))
    series = _statsmodels_data("co2")["co2"].interpolate()
    if frequency == "monthly":
        series = series.resample("MS").mean()
    return series.index.values.astype("datetime64[D]"), series.to_numpy("float32")


def load_sunspots():
    """Yearly mean sunspot numbers, 1700 to 2008 (309 years; a cycle of about 11 years).

    The series ships with statsmodels (`statsmodels.datasets.sunspots`).

    Returns:
        `(years, sunspots)`: `datetime64[Y]` array and float32 array, both `(309,)`.
    """
    table = _statsmodels_data("sunspots")
    years = table["YEAR"].to_numpy("int64") - 1970
    return years.astype("datetime64[Y]"), table["SUNACTIVITY"].to_numpy("float32")
