"""tradingia.agent"""
