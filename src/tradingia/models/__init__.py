"""tradingia.models"""
