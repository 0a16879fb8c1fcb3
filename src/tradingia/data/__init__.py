"""tradingia.data"""
