print("seqcast")
