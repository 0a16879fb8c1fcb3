"""`tradingia backtest`: signals (a CSV, or trained models with a preset) through the engine.

With `--preset` the promoted model set trades the candles after its training data (out of
sample; `--in-sample` to override, labelled so), or `--walk-forward` trains fold models so the
whole curve is out of sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer
from rich.table import Table

from tradingia.cli._console import console
from tradingia.cli._options import SymbolOpt, TimeframeOpt, parse_utc
from tradingia.cli._progress import progress_bar
from tradingia.core.errors import ConfigError
from tradingia.core.timeframes import Timeframe

if TYPE_CHECKING:  # the engine, models and numba load only when a backtest runs
    from tradingia.backtest import BacktestConfig, CostConfig
    from tradingia.services.backtest import WalkForwardPlan
    from tradingia.services.training import TrainRequest

_SUMMARY = ("trades", "win_rate", "expectancy_r", "total_r", "profit_factor", "total_return",
            "sharpe", "sortino", "max_drawdown", "cagr", "exposure", "ambiguous_trades")


def _costs(fee_bps: float | None, maker_fee_bps: float | None, slippage_bps: float | None,
           spread: float | None) -> CostConfig:
    from tradingia.backtest import CostConfig

    for flag, value in (("--fee-bps", fee_bps), ("--slippage-bps", slippage_bps),
                        ("--spread", spread)):
        if value is not None and value < 0:
            raise ConfigError(f"{flag} must be >= 0, got {value}.")
    base = CostConfig()
    taker = base.taker_fee_bps if fee_bps is None else fee_bps
    maker = maker_fee_bps if maker_fee_bps is not None else (
        base.maker_fee_bps if fee_bps is None else fee_bps)
    return CostConfig(
        taker_fee_bps=taker, maker_fee_bps=maker,
        slippage_bps=base.slippage_bps if slippage_bps is None else slippage_bps,
        spread=base.spread if spread is None else spread,
    )


def _config(sizing: str, risk_pct: float, size: float, equity: float, costs: CostConfig,
            *, time_exit: int | None, break_even_r: float | None,
            trailing_r: float | None) -> BacktestConfig:
    from tradingia.backtest import BacktestConfig, ExitConfig, SizingConfig

    if sizing not in ("risk", "fixed", "signal"):
        raise ConfigError(f"--sizing {sizing!r}: use risk, fixed or signal.")
    try:
        return BacktestConfig(
            initial_equity=equity,
            costs=costs,
            sizing=SizingConfig(mode=cast(Literal["risk", "fixed", "signal"], sizing),
                                risk_fraction=risk_pct / 100.0, fixed_size=size),
            exits=ExitConfig(time_exit_candles=time_exit, break_even_at_r=break_even_r,
                             trailing_stop_r=trailing_r),
        )
    except ValueError as exc:
        raise ConfigError(f"Invalid backtest option: {exc}") from None


@dataclass(frozen=True, slots=True)
class ModelOptions:
    """Model-signal options: walk-forward plan, fold training settings."""

    walk_forward: bool
    folds: int | None
    train_days: float | None
    test_days: float | None
    feature_set: str | None
    horizons: str | None
    max_trees: int | None
    jobs: int | None


def _plan(opts: ModelOptions) -> WalkForwardPlan | None:
    from tradingia.services.backtest import WalkForwardPlan

    if not opts.walk_forward:
        if any(v is not None for v in (opts.folds, opts.train_days, opts.test_days,
                                       opts.feature_set, opts.horizons, opts.max_trees,
                                       opts.jobs)):
            raise ConfigError("--folds, --train-days, --test-days, --feature-set, --horizons, "
                              "--max-trees and --jobs go with --walk-forward.")
        return None
    return WalkForwardPlan(folds=opts.folds, train_days=opts.train_days,
                           test_days=opts.test_days, n_jobs=opts.jobs)


def _train_request(symbol: str, tf: Timeframe, opts: ModelOptions) -> TrainRequest | None:
    from tradingia.models.boosting import BoosterParams
    from tradingia.services.training import TrainRequest

    if opts.feature_set is None and opts.horizons is None and opts.max_trees is None:
        return None
    horizons: tuple[int, ...] | None = None
    if opts.horizons is not None:
        try:
            horizons = tuple(int(h) for h in opts.horizons.split(",") if h.strip())
        except ValueError:
            raise ConfigError(f"--horizons {opts.horizons!r}: give candle counts, "
                              "e.g. 6,12.") from None
        if not horizons or min(horizons) < 1:
            raise ConfigError("--horizons must be positive candle counts, e.g. 6,12.")
    booster = None
    if opts.max_trees is not None:
        if opts.max_trees < 1:
            raise ConfigError("--max-trees must be at least 1.")
        booster = BoosterParams(max_rounds=opts.max_trees,
                                early_stopping_rounds=max(1, min(25, opts.max_trees // 3)))
    return TrainRequest(symbol=symbol, timeframe=tf, feature_set=opts.feature_set or "full",
                        horizons=horizons, booster=booster, n_folds=1, n_boot=20)


def backtest_command(
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
    report: Annotated[Path, typer.Option(help="Folder for trades.csv, metrics.json, HTML, PNG.")],
    signals: Annotated[Path | None, typer.Option(
        help="Signals CSV: timestamp,direction,stop_loss,take_profit[,size,entry,take_profit_2..]"
    )] = None,
    preset: Annotated[str | None, typer.Option(help="Signals from a trained model preset.")] = None,
    data: Annotated[Path | None, typer.Option(help="Read candles from this file, not the store.")
                    ] = None,
    finer_data: Annotated[Path | None, typer.Option(
        help="Finer candles (e.g. 1m under 5m) that settle stop-and-target candles.")] = None,
    start: Annotated[str | None, typer.Option("--from", help="First candle (UTC date).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="End, exclusive (UTC date).")] = None,
    fee_bps: Annotated[float | None, typer.Option(
        help="Taker fee in bps (also the maker fee unless --maker-fee-bps). Default 5.")] = None,
    maker_fee_bps: Annotated[float | None, typer.Option(help="Maker fee in bps.")] = None,
    slippage_bps: Annotated[float | None, typer.Option(
        help="Slippage of market fills, bps. Default 1.")] = None,
    spread: Annotated[float | None, typer.Option(help="Bid-ask spread in price units.")] = None,
    sizing: Annotated[str, typer.Option(help="risk (% of equity per R), fixed, or signal.")
                      ] = "risk",
    risk_pct: Annotated[float, typer.Option(help="Equity risked per trade, percent.")] = 1.0,
    size: Annotated[float, typer.Option(help="Units per trade with --sizing fixed.")] = 1.0,
    equity: Annotated[float, typer.Option(help="Initial equity.")] = 10_000.0,
    time_exit: Annotated[int | None, typer.Option(help="Close after N candles.")] = None,
    break_even_r: Annotated[float | None, typer.Option(
        help="Stop to entry once price went this many R.")] = None,
    trailing_r: Annotated[float | None, typer.Option(help="Trailing stop, in R.")] = None,
    in_sample: Annotated[bool, typer.Option(
        "--in-sample", help="With --preset: allow candles the models were trained on "
        "(the report says IN-SAMPLE).")] = False,
    walk_forward: Annotated[bool, typer.Option(
        "--walk-forward", help="With --preset: train fold models on the past of each test "
        "window (all out of sample) instead of using the promoted set.")] = False,
    folds: Annotated[int | None, typer.Option(
        help="Walk-forward: test folds over the last half of the candles (default 4).")] = None,
    train_days: Annotated[float | None, typer.Option(
        help="Walk-forward: rolling training window, days.")] = None,
    test_days: Annotated[float | None, typer.Option(
        help="Walk-forward: test window, days.")] = None,
    feature_set: Annotated[str | None, typer.Option(
        help="Walk-forward: feature set of the fold models (default: the promoted set's).")
                           ] = None,
    horizons: Annotated[str | None, typer.Option(
        help="Walk-forward: horizons of the fold models, e.g. 6,12.")] = None,
    max_trees: Annotated[int | None, typer.Option(
        help="Walk-forward: boosting rounds per fold model (fewer: faster).")] = None,
    jobs: Annotated[int | None, typer.Option(
        help="Walk-forward: folds trained at once (default: one per core).")] = None,
) -> None:
    """Backtest signals: entry at the next open, stop first on ambiguous candles, costs on."""
    from tradingia.services.backtest import BacktestJob, run_backtest_job

    opts = ModelOptions(walk_forward, folds, train_days, test_days, feature_set,
                        horizons, max_trees, jobs)
    tf = Timeframe.parse(timeframe)
    job = BacktestJob(
        symbol=symbol, timeframe=tf, report_dir=report,
        config=_config(sizing, risk_pct, size, equity,
                       _costs(fee_bps, maker_fee_bps, slippage_bps, spread),
                       time_exit=time_exit, break_even_r=break_even_r,
                       trailing_r=trailing_r),
        signals_path=signals, preset=preset, start=parse_utc(start, "--from"),
        end=parse_utc(end, "--to"), data_path=data, finer_data_path=finer_data,
        in_sample=in_sample, walk_forward=_plan(opts),
        train=_train_request(symbol, tf, opts) if walk_forward else None,
    )
    with progress_bar(spinner=True) as progress:
        task = progress.add_task("backtest", total=None)
        outcome = run_backtest_job(
            job, on_step=lambda m: progress.update(task, description=m),
            on_fold=lambda done, total: progress.update(
                task, completed=done, total=total,
                description=f"walk-forward folds trained: {done}/{total}"))
    table = Table(title=f"Backtest {outcome.metrics['symbol']} {outcome.metrics['timeframe']}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key in _SUMMARY:
        value = outcome.metrics.get(key)
        table.add_row(key, f"{value:.4f}" if isinstance(value, float) else str(value))
    console.print(table)
    _print_sample(outcome.metrics)
    console.print(f"report: {outcome.files['html']}")


def _print_sample(metrics: dict[str, object]) -> None:
    sample = metrics.get("sample")
    if not isinstance(sample, dict):
        return
    if sample.get("mode") == "in_sample" and sample.get("in_sample_candles"):
        console.print("[bold white on red] IN-SAMPLE [/] " + str(sample.get("note")))
    else:
        console.print(f"[bold green]out of sample[/] from {sample.get('backtest_from')}: "
                      f"{sample.get('note')}")
    hold = metrics.get("buy_and_hold")
    if isinstance(hold, dict) and hold:
        console.print(f"buy and hold, same span: return {hold.get('total_return')}, "
                      f"max drawdown {hold.get('max_drawdown')}")
    folds = metrics.get("folds")
    if isinstance(folds, list):
        table = Table(title="Walk-forward folds (each trained before its test window)")
        for col in ("fold", "train", "test", "trades", "total_r"):
            table.add_column(col)
        for f in folds:
            table.add_row(str(f["fold"]), f"{f['train_start']} .. {f['train_end']}",
                          f"{f['test_start']} .. {f['test_end']}", str(f["trades"]),
                          f"{f['total_r']:.2f}")
        console.print(table)
