"""tradingia.signals"""
