// gemm_shapes.c — single-core OpenBLAS sgemm throughput at the shapes L1-lstm uses (BENCHMARKS.md).
// Build: gcc -O2 Benchmarks/gemm_shapes.c $(pkg-config --cflags --libs openblas) -o gemm_shapes
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static void run(int m,int n,int k,int ta,int tb,int reps,const char*name){
  float*a=malloc(sizeof(float)*m*k),*b=malloc(sizeof(float)*k*n),*c=calloc((size_t)m*n,sizeof(float));
  for(long i=0;i<(long)m*k;i++)a[i]=(i%7)*0.1f; for(long i=0;i<(long)k*n;i++)b[i]=(i%5)*0.1f;
  for(int r=0;r<3;r++) cblas_sgemm(CblasRowMajor,ta?CblasTrans:CblasNoTrans,tb?CblasTrans:CblasNoTrans,m,n,k,1,a,ta?m:k,b,tb?k:n,0,c,n);
  double best=1e9; for(int rep=0;rep<5;rep++){double t0=now(); for(int r=0;r<reps;r++) cblas_sgemm(CblasRowMajor,ta?CblasTrans:CblasNoTrans,tb?CblasTrans:CblasNoTrans,m,n,k,1,a,ta?m:k,b,tb?k:n,0,c,n); double t=(now()-t0)/reps; if(t<best)best=t;}
  printf("%-34s m=%5d n=%5d k=%5d  %6.1f GFLOP/s\n",name,m,n,k,2.0*m*n*k/best/1e9); free(a);free(b);free(c);}
int main(){ openblas_set_num_threads(1);
  run(2048,2048,2048,0,0,3,"large square");
  run(64,1024,256,0,0,200,"L1 forward step h*Wh");
  run(64,256,1024,0,1,200,"L1 backward step dra*Wh^T");
  run(256,1024,8128,1,0,3,"L1 batched dWh (h^T*dra)");
  run(8192,1024,256,0,0,3,"L1 input projection X*Wx");
  return 0;}
