"""redline"""
