"""Language models and translation: the chat-model Protocol, Ollama, embedded llama.cpp, Apertium."""
