"""tradingia.tracking"""
