"""tradingia.backtest"""
