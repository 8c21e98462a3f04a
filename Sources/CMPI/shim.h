// CMPI shim: Open MPI's C interface plus the handles Swift cannot import (MPI_COMM_WORLD, MPI_BYTE,
// … are macros over addresses of global structs). Support/MPI.swift is the only importer.
#pragma once
#include <mpi.h>

static inline MPI_Comm seqcast_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype seqcast_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype seqcast_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype seqcast_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Op seqcast_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op seqcast_mpi_min(void) { return MPI_MIN; }
static inline MPI_Op seqcast_mpi_max(void) { return MPI_MAX; }
static inline void *seqcast_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int seqcast_mpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
