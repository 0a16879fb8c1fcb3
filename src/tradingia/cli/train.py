"""`tradingia train`: walk-forward training of the level-1 models of one series."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table

from tradingia.cli._console import console
from tradingia.cli._options import SymbolOpt, TimeframeOpt, parse_utc
from tradingia.cli._progress import stage_progress
from tradingia.core.errors import UnsupportedError
from tradingia.core.timeframes import Timeframe

if TYPE_CHECKING:  # xgboost and scikit-learn load only when training runs
    from tradingia.models.level1 import ModelKind
    from tradingia.models.scorecard import Scorecard


def _models(values: list[str] | None) -> tuple[ModelKind, ...]:
    from tradingia.models.level1 import ALL_MODELS

    if not values:
        return ALL_MODELS
    names = [v.strip() for item in values for v in item.split(",") if v.strip()]
    unknown = [n for n in names if n not in ALL_MODELS]
    if unknown:
        raise UnsupportedError(f"Unknown model(s) {unknown}; use any of {', '.join(ALL_MODELS)}.")
    return tuple(cast(ModelKind, n) for n in dict.fromkeys(names))


def print_scorecard(card: Scorecard) -> None:
    """The OOS headline table: range R² (mean forecast) and MAE gain over the recent-range
    baseline (median and mean forecast), TP-first AUC with its interval."""
    table = Table(title="Out-of-sample scores (walk-forward) beside naive baselines",
                  caption="R² of the mean forecast; MAE gain over the recent-range baseline of "
                          "the median and the mean forecast; width_h = delta_high_h + "
                          "delta_low_h")
    table.add_column("target", no_wrap=True)
    for col in ("R²", "R² recent", "MAE gain median", "MAE gain mean", "80% coverage"):
        table.add_column(col, justify="right")
    for _, r in card.range.iterrows():
        table.add_row(str(r["target"]), f"{r['r2']:.3f}", f"{r['r2_recent']:.3f}",
                      f"{r['mae_median_gain_vs_recent']:+.1%}", f"{r['mae_gain_vs_recent']:+.1%}",
                      f"{r['coverage_80']:.1%}")
    for _, r in card.width.iterrows():
        table.add_row(str(r["target"]), f"{r['r2']:.3f}", f"{r['r2_recent']:.3f}",
                      "", f"{r['mae_gain_vs_recent']:+.1%}", "")
    console.print(table)
    tp = Table(title="TP before SL (calibrated)")
    for col in ("target", "AUC", "95% CI (block bootstrap)", "Brier", "Brier base rate"):
        tp.add_column(col)
    for _, r in card.tpsl.iterrows():
        tp.add_row(str(r["target"]), f"{r['auc']:.3f}", f"{r['auc_lo']:.3f}-{r['auc_hi']:.3f}",
                   f"{r['brier']:.4f}", f"{r['brier_base_rate']:.4f}")
    console.print(tp)


def train_command(
    symbol: SymbolOpt,
    timeframe: TimeframeOpt,
    until: Annotated[str | None, typer.Option(help="Train on candles before this date.")] = None,
    models: Annotated[list[str] | None, typer.Option(
        "--models", help="range, tpsl, amd, magnitude (repeat or comma-separate).")] = None,
    feature_set: Annotated[str, typer.Option(help="minimal, extended or full.")] = "full",
    folds: Annotated[int, typer.Option(min=1, max=20, help="Walk-forward folds.")] = 4,
) -> None:
    """Train the level-1 models walk-forward on stored candles and register the final set."""
    from tradingia.services.training import TrainRequest, train

    request = TrainRequest(symbol=symbol, timeframe=Timeframe.parse(timeframe),
                           until=parse_utc(until, "--until"), models=_models(models),
                           feature_set=feature_set, n_folds=folds)
    with stage_progress() as progress:
        outcome = train(request, progress=progress)
    print_scorecard(outcome.scorecard)
    state = "promoted" if outcome.version.promoted else "not promoted"
    console.print(f"Registered {outcome.version.id} ({state}) in {outcome.seconds:.0f} s; "
                  f"report: {outcome.report}")
