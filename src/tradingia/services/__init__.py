"""tradingia.services"""
