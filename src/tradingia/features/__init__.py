"""tradingia.features"""
