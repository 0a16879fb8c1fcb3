"""tradingia.jobs"""
