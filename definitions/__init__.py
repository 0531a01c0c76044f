"""The e-commerce/RAG platform of the observability plan (Paso 7), written in obsgen's model."""
