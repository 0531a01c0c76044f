"""The demo application: the plan's e-commerce/RAG service, simulated, with faults it can be told to show."""
