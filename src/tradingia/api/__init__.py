"""tradingia.api"""
