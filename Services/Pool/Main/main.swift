import PoolService
import Runtime

await ServiceMain.run(PoolService.definition)
