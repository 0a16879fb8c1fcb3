"""tradingia.execution"""
