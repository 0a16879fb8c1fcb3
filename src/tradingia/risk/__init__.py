"""tradingia.risk"""
